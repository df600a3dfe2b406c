#include "scanner/detail/capture_files.hpp"

#include "scanner/capture.hpp"
#include "scanner/detail/capture_pseudonyms.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace scanner {
namespace {

namespace fs = std::filesystem;
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(json_writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

void put(json_writer& w, const char* key, std::string_view value) {
  w.Key(key);
  put(w, value);
}

// A string, or null when empty.
void put_or_null(json_writer& w, const char* key, std::string_view value) {
  w.Key(key);
  if (value.empty()) w.Null();
  else put(w, value);
}

void put_headers(json_writer& w, const char* key, const header_list& headers) {
  w.Key(key);
  w.StartArray();
  for (auto const& [name, value] : headers) {
    w.StartArray();
    put(w, name);
    put(w, value);
    w.EndArray();
  }
  w.EndArray();
}

void put_number(json_writer& w, const char* key, double ms) {
  w.Key(key);
  std::string const text = fmt::format("{:.3f}", ms);
  w.RawValue(text.c_str(), text.size(), rapidjson::kNumberType);
}

std::runtime_error io_failure(const fs::path& path, std::string_view what) {
  return std::runtime_error(fmt::format("cannot {} '{}': {}", what, path.string(), std::strerror(errno)));
}

}  // namespace

std::string exchange_record::to_json() const {
  rapidjson::StringBuffer text;
  json_writer w(text);
  w.StartObject();
  w.Key("seq");
  w.Uint64(seq);
  put_number(w, "sent_ms", sent_ms);
  put_number(w, "elapsed_ms", elapsed_ms);
  put(w, "service", service);
  put(w, "origin", origin);
  put(w, "method", method);
  put(w, "target", target);
  put_headers(w, "request_headers", request_headers);
  w.Key("batch_items");
  if (!batch_items) {
    w.Null();
  } else {
    w.StartArray();
    for (auto const& item : *batch_items) {
      w.StartObject();
      put(w, "id", item.id);
      put(w, "method", item.method);
      put(w, "url", item.url);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("status");
  w.Uint(status);
  put_or_null(w, "error", error);
  put_headers(w, "response_headers", response_headers);
  w.Key("body_size");
  w.Uint64(body_size);
  put_or_null(w, "body_file", body_file ? std::string_view(*body_file) : std::string_view());
  w.EndObject();
  return std::string(text.GetString(), text.GetSize());
}

std::string manifest_facts::to_json() const {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> w(text);
  w.StartObject();
  put(w, "format", capture_format_name);
  w.Key("format_version");
  w.Int(capture_format_version);
  put(w, "tool_version", tool_version);
  put(w, "started_at", started_at);
  put_or_null(w, "finished_at", finished_at);
  put_or_null(w, "outcome", outcome);
  put_or_null(w, "failure", failure);
  put(w, "graph_root", graph_root);
  put(w, "authority_host", authority_host);
  w.Key("origin_placeholders");
  w.StartObject();
  put(w, "graph", capture_graph_origin);
  put(w, "login", capture_login_origin);
  w.EndObject();
  put(w, "tenant_id", tenant_id);
  put(w, "client_id", client_id);
  w.Key("pseudonymized");
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (auto key : pseudonymizer::keys()) put(w, key);
  w.EndArray();
  put(w, "addresses", "<first character>-<16 hex>@d-<8 hex>.invalid (keyed hash of the lower-cased address)");
  put(w, "other_values", "n-<16 hex> (keyed hash of the value)");
  put(w, "elsewhere",
      "e-mail addresses in any text; values already pseudonymized (4 bytes or more) in free text; "
      "OData string literals and path segments of URLs that are addresses or such values");
  put(w, "kept",
      "ids (GUIDs), SKU ids and part numbers, service plans, counts, flags, dates, the organization's "
      "displayName, the tenant id and the client id");
  w.EndObject();
  w.Key("body_budget_bytes");
  w.Uint64(body_budget);
  w.Key("body_bytes");
  w.Uint64(body_bytes);
  w.Key("bodies");
  w.Uint64(bodies);
  w.Key("exchanges");
  w.Uint64(exchanges);
  w.Key("partial");
  w.Bool(partial);
  put_or_null(w, "write_error", write_error);
  w.EndObject();
  return std::string(text.GetString(), text.GetSize()) + "\n";
}

base::result<void> make_private_directory(const fs::path& dir) {
  std::error_code ec;
  auto const status = fs::status(dir, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status))
      return base::usage_error(fmt::format("--capture '{}' exists and is not a directory", dir.string()));
    if (!fs::is_empty(dir, ec) || ec)
      return base::usage_error(
          fmt::format("--capture '{}' is not empty: a capture needs a new or empty directory", dir.string()));
  } else if (!fs::create_directories(dir, ec) || ec) {
    return base::usage_error(fmt::format("cannot create the --capture directory '{}': {}", dir.string(),
                                         ec ? ec.message() : std::string("unknown error")));
  }
  if (::chmod(dir.c_str(), 0700) != 0)
    return base::usage_error(
        fmt::format("cannot make the --capture directory '{}' private: {}", dir.string(), std::strerror(errno)));
  return {};
}

void write_private_file(const fs::path& path, std::string_view text) {
  fs::path const temporary = path.string() + ".tmp";
  int const fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw io_failure(temporary, "create");
  std::size_t written = 0;
  while (written < text.size()) {
    auto const n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto failure = io_failure(temporary, "write");
      ::close(fd);
      throw failure;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw io_failure(temporary, "write");
  if (::rename(temporary.c_str(), path.c_str()) != 0) throw io_failure(path, "write");
}

line_file::line_file(const fs::path& path) {
  int const fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw io_failure(path, "create");
  file_ = ::fdopen(fd, "a");
  if (file_ == nullptr) {
    ::close(fd);
    throw io_failure(path, "open");
  }
}

line_file::~line_file() {
  if (file_ != nullptr) std::fclose(file_);
}

void line_file::append(std::string_view line) {
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fputc('\n', file_) == EOF ||
      std::fflush(file_) != 0)
    throw std::runtime_error(fmt::format("cannot write exchanges.ndjson: {}", std::strerror(errno)));
}

void line_file::flush() {
  if (std::fflush(file_) != 0)
    throw std::runtime_error(fmt::format("cannot write exchanges.ndjson: {}", std::strerror(errno)));
}

std::string utc_now() {
  auto const now = std::chrono::system_clock::now();
  auto const seconds = std::chrono::system_clock::to_time_t(now);
  auto const millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", stamp, millis);
}

bool looks_like_json(std::string_view text) {
  auto const first = text.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
}

}  // namespace scanner
