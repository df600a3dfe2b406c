#include "storage/database.hpp"

#include "storage/detail/database_impl.hpp"
#include "storage/detail/failure.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace storage {
namespace {

// Long enough for a reader's checkpoint or another scan's page commit to finish; short enough that a
// process stuck holding the lock is reported rather than waited on forever.
constexpr int busy_timeout_ms = 10'000;
// 16 MiB of page cache (negative = KiB). Writes append, so they need few hot pages; the bound also sizes each
// of for_each_user's three sorters before they spill to temporary files, so memory stays flat in the users.
constexpr std::string_view cache_pragma = "PRAGMA cache_size = -16384";
// After a checkpoint, cut the -wal file back to 64 MiB: a million-user scan would otherwise leave it large.
constexpr std::string_view wal_limit_pragma = "PRAGMA journal_size_limit = 67108864";

// Creates the file with mode 0600 before SQLite touches it, so that no other user can ever read it (it holds
// personal data); an existing file keeps its mode. SQLite gives the -wal and -shm files the same mode.
base::result<void> create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
  if (fd < 0) {
    if (errno == EEXIST) return {};
    return detail::system_failure(errno, fmt::format("open database '{}'", path));
  }
  // The umask can only clear bits, but say 0600 explicitly so the mode never depends on it.
  const int rc = ::fchmod(fd, S_IRUSR | S_IWUSR);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return detail::system_failure(err, fmt::format("open database '{}'", path));
  return {};
}

}  // namespace

detail::connection::~connection() {
  statements.clear();  // finalize before close: sqlite3_close_v2 would otherwise keep the handle alive
  sqlite3_close_v2(db);
}

base::error detail::connection::failure(int rc, std::string_view what) const {
  return detail::sqlite_failure(db, rc, what);
}

base::result<detail::statement*> detail::connection::prepared(std::string_view sql, std::string_view what) {
  std::string key(sql);
  auto [first, last] = statements.equal_range(key);
  for (auto it = first; it != last; ++it)
    if (!it->second.busy()) return &it->second;
  detail::statement s;
  if (const int rc = detail::statement::prepare(db, sql, true, s); rc != SQLITE_OK) return failure(rc, what);
  return &statements.emplace(std::move(key), std::move(s))->second;
}

base::result<void> detail::connection::run_ints(std::string_view sql, std::string_view what,
                                                std::initializer_list<std::optional<std::int64_t>> values) {
  auto s = prepared(sql, what);
  if (!s) return s.error();
  int i = 0;
  for (auto v : values) (*s)->bind_optional_int(++i, v);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return failure(rc, what);
  return {};
}

base::result<void> detail::connection::exec(std::string_view sql, std::string_view what) {
  std::string const text(sql);
  if (const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK)
    return failure(rc, what);
  return {};
}

namespace detail {

write_transaction::write_transaction(write_transaction&& other) noexcept
    : d_(other.d_),
      open_(std::exchange(other.open_, false)),
      restore_checks_(std::exchange(other.restore_checks_, false)) {}

write_transaction::~write_transaction() {
  if (open_)
    if (auto s = d_->prepared("ROLLBACK", "roll back")) (*s)->run();
  end();
}

// SQLite ignores PRAGMA foreign_keys inside a transaction, so the checks go off before BEGIN and on after the end.
void write_transaction::end() {
  if (!std::exchange(restore_checks_, false)) return;
  if (auto s = d_->prepared("PRAGMA foreign_keys = ON", "turn foreign keys back on")) (*s)->run();
}

base::result<write_transaction> write_transaction::begin(detail::connection& d, std::string_view what,
                                                         parent_checks checks) {
  bool const off = checks == parent_checks::verified_by_caller;
  if (off) {
    auto s = d.prepared("PRAGMA foreign_keys = OFF", what);
    if (!s) return s.error();
    if (const int rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  write_transaction tx{d, off};  // from here on, its destructor turns the checks back on
  auto s = d.prepared("BEGIN IMMEDIATE", what);
  if (!s) return s.error();
  if (const int rc = (*s)->run(); rc != SQLITE_OK) {
    tx.open_ = false;
    return d.failure(rc, what);
  }
  return tx;
}

base::result<void> write_transaction::commit(std::string_view what) {
  auto s = d_->prepared("COMMIT", what);
  if (!s) return s.error();
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return d_->failure(rc, what);  // the destructor rolls back
  open_ = false;
  end();
  return {};
}

}  // namespace detail

base::result<database> database::open(const std::string& path, open_mode mode) {
  std::string const what = fmt::format("open database '{}'", path);
  auto p = std::make_unique<impl>();
  p->path = path;
  p->mode = mode;

  int flags = SQLITE_OPEN_NOMUTEX;  // one connection per thread (database.hpp), so no mutex
  if (mode == open_mode::read_only) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT)
      return base::usage_error(fmt::format("no database at '{}' — run `entra-audit scan` first or pass --db", path));
    flags |= SQLITE_OPEN_READONLY;
  } else {
    if (auto r = create_private_file(path); !r) return r.error();
    flags |= SQLITE_OPEN_READWRITE;  // no SQLITE_OPEN_CREATE: the file exists with its 0600 mode
  }

  int rc = sqlite3_open_v2(path.c_str(), &p->db, flags, nullptr);
  if (rc != SQLITE_OK) return p->failure(rc, what);
  sqlite3_extended_result_codes(p->db, 1);
  sqlite3_busy_timeout(p->db, busy_timeout_ms);

  if (mode == open_mode::read_write) {
    // SQLite opens a write-protected file read-only without a word; say so now rather than at the first page.
    if (sqlite3_db_readonly(p->db, "main") == 1)
      return base::runtime_error(
          fmt::format("cannot {}: the file is read-only — make it writable (chmod u+w) "
                      "or pass --db",
                      what));
    // WAL: readers (reports, a second process) run beside the scan's writer. NORMAL: a commit is durable at
    // the next checkpoint; a power cut may lose the last pages, never corrupt the file (resume refetches them).
    if (auto r = p->exec("PRAGMA journal_mode = WAL", what); !r) return r.error();
    if (auto r = p->exec("PRAGMA synchronous = NORMAL", what); !r) return r.error();
    if (auto r = p->exec(wal_limit_pragma, what); !r) return r.error();
  }
  if (auto r = p->exec("PRAGMA foreign_keys = ON", what); !r) return r.error();
  if (auto r = p->exec(cache_pragma, what); !r) return r.error();

  if (mode == open_mode::read_only) {
    // A file an older entra-audit wrote is migrated once, as a writer would (invariants hold: a migration is one
    // transaction), so that `report` reads it without a `scan` first.
    auto older = detail::older_schema(*p);
    if (!older) return older.error();
    if (*older) {
      auto writer = open(path, open_mode::read_write);
      if (!writer) return writer.error();
    }
  }
  if (auto r = mode == open_mode::read_write ? detail::migrate(*p) : detail::check_version(*p); !r) return r.error();
  return database{std::move(p)};
}

database::database(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
database::database(database&&) noexcept = default;
database& database::operator=(database&&) noexcept = default;
database::~database() = default;

const std::string& database::path() const { return impl_->path; }

}  // namespace storage
