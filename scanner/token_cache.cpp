#include "scanner/token_cache.hpp"

#include <fmt/core.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace scanner {
namespace {

constexpr std::string_view file_prefix = "sign-in-";
constexpr std::string_view file_suffix = ".json";
constexpr std::size_t max_cache_file = 64 * 1024;  // an entry is a few KB: anything larger is not ours

// A file name from the key: its SHA-256, so that a tenant or client id can never form a path.
std::string file_name(const std::string& authority, const std::string& tenant, const std::string& client_id) {
  std::string const key = authority + "\n" + tenant + "\n" + client_id;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(key.data(), key.size(), digest, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < 12 && i < n; ++i) hex += fmt::format("{:02x}", digest[i]);
  return std::string(file_prefix) + hex + std::string(file_suffix);
}

std::string path_in(const std::string& dir, const std::string& name) {
  return (std::filesystem::path(dir) / name).string();
}

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

base::error unsafe(const std::string& path, std::string_view why) {
  return base::usage_error(fmt::format(
      "refusing to use the token cache file '{}': {} — delete it with `entra-audit sign-out` and sign in again", path,
      why));
}

// The file's text after checking that only this user can read or change it (unless only_regular: sign-out reads
// whose an unsafe entry was before deleting it); nullopt when it does not exist.
base::result<std::optional<std::string>> read_private(const std::string& path, bool only_regular = false) {
  fd_guard f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ELOOP) return unsafe(path, "it is a symbolic link");
    return base::usage_error(
        fmt::format("cannot read the token cache file '{}': {} — check --token-cache", path, std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return unsafe(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return unsafe(path, "it is not a regular file");
  if (!only_regular && st.st_uid != ::geteuid())
    return unsafe(path, fmt::format("it belongs to uid {}, not to this user (uid {})", st.st_uid, ::geteuid()));
  if (!only_regular && (st.st_mode & 077) != 0)
    return unsafe(
        path, fmt::format("its mode {:04o} lets other users read or change it (expected 0600)", st.st_mode & 07777));
  if (static_cast<std::size_t>(st.st_size) > max_cache_file) return unsafe(path, "it is too large to be an entry");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    auto const n = ::read(f.fd, text.data() + got, text.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  text.resize(got);
  return std::optional<std::string>(std::move(text));
}

std::string member(const rapidjson::Value& obj, const char* name) {
  auto const m = obj.FindMember(name);
  return m != obj.MemberEnd() && m->value.IsString() ? std::string(m->value.GetString(), m->value.GetStringLength())
                                                     : std::string();
}

std::optional<cached_sign_in> parse_entry(std::string_view text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::nullopt;
  cached_sign_in e{member(doc, "authority"),     member(doc, "tenant"),      member(doc, "client_id"),
                   member(doc, "refresh_token"), member(doc, "home_tenant"), member(doc, "user")};
  return e;
}

std::string entry_json(const cached_sign_in& e) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto field = [&w](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  field("authority", e.authority);
  field("tenant", e.tenant);
  field("client_id", e.client_id);
  field("home_tenant", e.home_tenant);
  field("user", e.user);
  field("refresh_token", e.refresh_token);
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

// Creates dir (and its parents) when missing; the last level with mode 0700.
base::result<void> make_private_dir(const std::string& dir) {
  std::error_code ec;
  auto const parent = std::filesystem::path(dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return base::runtime_error(fmt::format("cannot create the token cache directory '{}': {} — check --token-cache",
                                           dir, std::strerror(errno)));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return base::usage_error(
        fmt::format("the token cache directory '{}' is not a directory — check --token-cache", dir));
  if (st.st_uid != ::geteuid())
    return base::usage_error(fmt::format(
        "refusing to use the token cache directory '{}': it belongs to uid {}, not to this user — check --token-cache",
        dir, st.st_uid));
  return {};
}

}  // namespace

base::result<std::string> token_cache_dir(const std::string& flag,
                                          const std::function<std::optional<std::string>(std::string_view)>& getenv) {
  auto const env = [&getenv](std::string_view name) -> std::optional<std::string> {
    if (!getenv) return std::nullopt;
    auto v = getenv(name);
    return v && !v->empty() ? v : std::nullopt;
  };
  auto const ok = [](std::string s) { return base::result<std::string>{boost::system::in_place_value, std::move(s)}; };
  if (!flag.empty()) return ok(flag);
  if (auto v = env("ENTRA_AUDIT_TOKEN_CACHE")) return ok(*v);
  // XDG Base Directory Specification: a relative $XDG_CACHE_HOME is invalid and must be ignored.
  if (auto v = env("XDG_CACHE_HOME"); v && v->starts_with('/')) return ok(*v + "/entra-audit");
  if (auto v = env("HOME"); v && v->starts_with('/')) return ok(*v + "/.cache/entra-audit");
  return base::usage_error(
      "no directory for the token cache: HOME is not set — pass --token-cache DIR or set ENTRA_AUDIT_TOKEN_CACHE");
}

base::result<std::optional<cached_sign_in>> load_sign_in(const std::string& dir, const std::string& authority,
                                                         const std::string& tenant, const std::string& client_id) {
  std::string const path = path_in(dir, file_name(authority, tenant, client_id));
  auto text = read_private(path);
  if (!text) return text.error();
  if (!*text) return std::optional<cached_sign_in>();
  auto entry = parse_entry(**text);
  // A damaged entry, or one of another key that hashed alike: as if there were none (signing in again replaces it).
  if (!entry || entry->refresh_token.empty() || entry->authority != authority || entry->tenant != tenant ||
      entry->client_id != client_id)
    return std::optional<cached_sign_in>();
  return entry;
}

base::result<void> save_sign_in(const std::string& dir, const cached_sign_in& entry) {
  if (auto made = make_private_dir(dir); !made) return made;
  std::string const path = path_in(dir, file_name(entry.authority, entry.tenant, entry.client_id));
  std::string const temp = fmt::format("{}.{}-{:x}.tmp", path, ::getpid(), std::random_device{}());
  auto const fail = [&](std::string_view what) {
    auto const why = std::strerror(errno);
    ::unlink(temp.c_str());
    return base::runtime_error(
        fmt::format("cannot {} the token cache file '{}': {} — check --token-cache", what, path, why));
  };
  {
    // O_EXCL + 0600: the file exists only ever with this mode (the umask can only take bits away).
    fd_guard f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (f.fd < 0) return fail("create");
    std::string const text = entry_json(entry);
    std::size_t put = 0;
    while (put < text.size()) {
      auto const n = ::write(f.fd, text.data() + put, text.size() - put);
      if (n <= 0) return fail("write");
      put += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) return fail("write");
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("replace");
  return {};
}

base::result<void> drop_sign_in(const std::string& dir, const std::string& authority, const std::string& tenant,
                                const std::string& client_id) {
  std::string const path = path_in(dir, file_name(authority, tenant, client_id));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return base::runtime_error(fmt::format("cannot delete the token cache file '{}': {}", path, std::strerror(errno)));
  return {};
}

base::result<std::vector<removed_sign_in>> sign_out(const std::string& dir) {
  std::vector<removed_sign_in> removed;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(dir, ec))) return removed;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) return base::runtime_error(fmt::format("cannot list the token cache directory '{}': {}", dir, ec.message()));
  for (; it != end; it.increment(ec)) {
    std::string const name = it->path().filename().string();
    if (!name.starts_with(file_prefix) || !(name.ends_with(file_suffix) || name.ends_with(".tmp"))) continue;
    removed_sign_in r{it->path().string(), {}};
    if (auto text = read_private(r.path, true); text && *text)
      if (auto entry = parse_entry(**text)) r.entry = std::move(*entry);
    r.entry.refresh_token.clear();
    if (::unlink(r.path.c_str()) != 0 && errno != ENOENT)
      return base::runtime_error(
          fmt::format("cannot delete the token cache file '{}': {}", r.path, std::strerror(errno)));
    removed.push_back(std::move(r));
  }
  return removed;
}

}  // namespace scanner
