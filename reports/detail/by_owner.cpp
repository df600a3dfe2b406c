#include "reports/detail/by_owner.hpp"

#include "reports/detail/csv.hpp"
#include "reports/detail/csv_writer.hpp"
#include "reports/detail/output_file.hpp"
#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace reports {

namespace {

// Rows buffered across all owners before they are appended to their files: bounded memory, few syscalls.
constexpr std::size_t flush_threshold = 4 * 1024 * 1024;

enum class owner_kind { purchaser, partner_tenant, none };

std::string_view to_string(owner_kind k) {
  switch (k) {
    case owner_kind::purchaser:
      return "purchaser";
    case owner_kind::partner_tenant:
      return "partner_tenant";
    case owner_kind::none:
      return "none";
  }
  return "none";
}

struct owner_state {
  std::string file_name;
  std::string temp_path;  // created at the first flush
  std::string pending;    // rows not yet appended
  std::int64_t findings = 0;
  std::int64_t users = 0;
  std::string last_user;  // rows arrive grouped by user (sorted by upn), so a change of id is a new user
};

std::vector<std::string_view> split(std::string_view cell) {
  std::vector<std::string_view> items;
  while (!cell.empty()) {
    const auto end = cell.find(';');
    if (const auto item = cell.substr(0, end); !item.empty()) items.push_back(item);
    cell = end == std::string_view::npos ? std::string_view() : cell.substr(end + 1);
  }
  return items;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

class owner_files {
 public:
  explicit owner_files(std::string dir) : dir_(std::move(dir)) {
    // Reserved so an owner called "index" or "unowned" cannot overwrite them (compared case-insensitively for
    // file systems that fold case).
    used_names_.insert("index.csv");
    used_names_.insert("unowned.csv");
    owners_[{owner_kind::none, ""}].file_name = "unowned.csv";
  }
  owner_files(const owner_files&) = delete;
  owner_files& operator=(const owner_files&) = delete;
  ~owner_files() {
    if (committed_) return;
    for (const auto& [key, o] : owners_)
      if (!o.temp_path.empty()) ::unlink(o.temp_path.c_str());
  }

  void add(owner_kind kind, std::string_view owner, const storage::finding_record& f, const std::string& row) {
    auto [it, inserted] = owners_.try_emplace({kind, std::string(owner)});
    auto& o = it->second;
    if (inserted) o.file_name = unique_name(owner);
    o.pending += row;
    buffered_ += row.size();
    ++o.findings;
    if (o.last_user != f.user_id) {
      ++o.users;
      o.last_user = f.user_id;
    }
  }

  base::result<void> maybe_flush() { return buffered_ >= flush_threshold ? flush() : base::result<void>(); }

  base::result<void> flush() {
    for (auto& [key, o] : owners_) {
      if (o.pending.empty() && !o.temp_path.empty()) continue;
      if (auto r = append(o); !r) return r;
    }
    buffered_ = 0;
    return {};
  }

  // Renames every temporary file into place and writes the index; returns the paths, index last.
  base::result<std::vector<std::string>> commit() {
    if (auto r = flush(); !r) return r.error();
    std::vector<std::string> written;
    auto index_path = dir_ + "/index.csv";
    auto index = output_file::open(index_path);
    if (!index) return index.error();
    index->write("owner,owner_kind,file,findings,users\r\n");
    for (auto& [key, o] : owners_) {
      const auto path = dir_ + "/" + o.file_name;
      if (::rename(o.temp_path.c_str(), path.c_str()) != 0) return output_error("write report", path, errno);
      o.temp_path.clear();
      written.push_back(path);
      append_csv_row(index->buffer(), key.second, to_string(key.first), o.file_name, std::to_string(o.findings),
                     std::to_string(o.users));
    }
    if (auto r = index->commit(); !r) return r.error();
    written.push_back(index_path);
    committed_ = true;
    return written;
  }

 private:
  std::string unique_name(std::string_view owner) {
    const auto base = sanitize_file_name(owner);
    for (int n = 1;; ++n) {
      auto name = n == 1 ? base + ".csv" : fmt::format("{}-{}.csv", base, n);
      if (used_names_.insert(lower(name)).second) return name;
    }
  }

  base::result<void> append(owner_state& o) {
    const auto final_path = dir_ + "/" + o.file_name;
    int fd = -1;
    if (o.temp_path.empty()) {
      // mkstemp: mode 0600 and O_EXCL; the header goes first.
      std::string templ = dir_ + "/." + o.file_name + ".tmp-XXXXXX";
      fd = ::mkostemp(templ.data(), O_CLOEXEC | O_APPEND);
      if (fd < 0) return output_error("write report", final_path, errno);
      o.temp_path = std::move(templ);
      std::string header;
      append_findings_header(header);
      o.pending.insert(0, header);
    } else {
      fd = ::open(o.temp_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (fd < 0) return output_error("write report", final_path, errno);
    }
    std::size_t done = 0;
    int err = 0;
    while (done < o.pending.size()) {
      const ssize_t n = ::write(fd, o.pending.data() + done, o.pending.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        err = errno;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) return output_error("write report", final_path, err);
    o.pending.clear();
    o.pending.shrink_to_fit();
    return {};
  }

  std::string dir_;
  std::map<std::pair<owner_kind, std::string>, owner_state> owners_;  // ordered: the index lists them sorted
  std::set<std::string> used_names_;
  std::size_t buffered_ = 0;
  bool committed_ = false;
};

base::result<void> prepare_directory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return base::usage_error(
          fmt::format("cannot write reports into '{}': it is not a directory (give a directory "
                      "to --out with --by owner)",
                      dir));
    return {};
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return output_error("create directory", dir, errno);
  return {};
}

}  // namespace

base::result<std::vector<std::string>> render_by_owner(const finding_source& source, const std::string& out_dir) {
  if (out_dir.empty())
    return base::usage_error("cannot write reports by owner to stdout: give a directory with --out DIR");
  if (auto r = prepare_directory(out_dir); !r) return r.error();
  owner_files files(out_dir);
  base::result<void> failed;
  std::string row;
  const auto streamed = source([&](const storage::finding_record& f) {
    if (!failed) return;  // the source cannot be stopped; skip the rest once a write failed
    row.clear();
    append_finding_row(row, f);
    auto const ids = split(f.owner_ids);
    auto const upns = split(f.owner_upns);
    auto const tenants = split(f.owner_tenant_ids);
    // UPNs name purchasers best, but the two lists are sorted separately: only when every id has a UPN can
    // the UPNs stand for them; otherwise the ids do, so no purchaser is dropped.
    auto const& purchasers = (!upns.empty() && upns.size() >= ids.size()) ? upns : ids;
    for (auto const p : purchasers) files.add(owner_kind::purchaser, p, f, row);
    for (auto const t : tenants) files.add(owner_kind::partner_tenant, t, f, row);
    if (purchasers.empty() && tenants.empty()) files.add(owner_kind::none, "", f, row);
    failed = files.maybe_flush();
  });
  if (!streamed) return streamed.error();
  if (!failed) return failed.error();
  return files.commit();
}

}  // namespace reports
