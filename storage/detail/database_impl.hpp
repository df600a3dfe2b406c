// storage/detail/database_impl.hpp — what a storage::database holds: the connection and its prepared statements
// (storage-internal; the .cpp files of storage/ share it).
#pragma once

#include "storage/database.hpp"
#include "storage/detail/finding_versions.hpp"
#include "storage/detail/statement.hpp"
#include "storage/detail/user_versions.hpp"

#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace storage {
namespace detail {

// The connection and its prepared statements (database::impl is one; helpers outside the class take it).
struct connection {
  sqlite3* db = nullptr;
  std::string path;
  open_mode mode = open_mode::read_write;
  // Prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused for every page; keyed by SQL text.
  // A multimap: a read whose callback starts the same read again gets a second statement, not the running one.
  std::unordered_multimap<std::string, detail::statement> statements;
  // The current user versions of the snapshot being written (write_user_page), kept between its pages; reset when
  // a write that changed them fails or the snapshot ends.
  std::optional<open_user_versions> user_writer;
  // The marks of the running snapshot's findings met unchanged (stage_findings), kept until it completes.
  std::optional<finding_matcher> findings_matcher;

  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  // A cached prepared statement for sql that no cursor is stepping (reset, no bindings); what names the
  // operation in an error.
  base::result<detail::statement*> prepared(std::string_view sql, std::string_view what);
  // Runs the cached statement sql once with values bound to ?1, ?2, … in order (nullopt binds NULL).
  base::result<void> run_ints(std::string_view sql, std::string_view what,
                              std::initializer_list<std::optional<std::int64_t>> values);
  // Runs sql (one or more statements, no parameters) once, without caching it.
  base::result<void> exec(std::string_view sql, std::string_view what);
  // The one-line error for SQLite code rc during what.
  base::error failure(int rc, std::string_view what) const;
};

// What a write transaction changed in the connection's memory follows it: unless it commits, the user versions are
// read again and the findings' marks it made are taken back.
class forget_unless_committed {
 public:
  explicit forget_unless_committed(connection& d) : d_(d) {}
  forget_unless_committed(const forget_unless_committed&) = delete;
  forget_unless_committed& operator=(const forget_unless_committed&) = delete;
  ~forget_unless_committed() {
    if (committed_) return;
    d_.user_writer.reset();
    if (d_.findings_matcher) d_.findings_matcher->rollback();
  }
  // After the transaction committed.
  void committed() {
    committed_ = true;
    if (d_.findings_matcher) d_.findings_matcher->commit();
  }

 private:
  connection& d_;
  bool committed_ = false;
};

// Whether SQLite checks each inserted row's scan_id against scans (foreign keys). A bulk write that has
// itself read its scan's row inside the transaction turns the checks off: they cost a parent look-up per row,
// measured at a third of the insert time of a users page, and the write lock already keeps the row there.
enum class parent_checks { on, verified_by_caller };

// BEGIN IMMEDIATE … COMMIT: takes the write lock up front (waiting up to the busy timeout) so that a write
// never fails half-way on a lock upgrade; rolls back unless commit() succeeded.
class write_transaction {
 public:
  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;
  write_transaction(write_transaction&& other) noexcept;
  write_transaction& operator=(write_transaction&&) = delete;
  ~write_transaction();

  // Begins a write transaction on d; with verified_by_caller, foreign keys are off until it ends (committed or
  // rolled back), so the caller must check its scan row inside the transaction and delete nothing.
  static base::result<write_transaction> begin(connection& d, std::string_view what,
                                               parent_checks checks = parent_checks::on);
  // Commits it; on failure the transaction is rolled back.
  base::result<void> commit(std::string_view what);

 private:
  write_transaction(connection& d, bool restore_checks) : d_(&d), restore_checks_(restore_checks) {}
  void end();
  connection* d_;
  bool open_ = true;
  bool restore_checks_ = false;
};

// Inserts findings of the scan into pending_findings inside the caller's write transaction; the first failure is
// returned.
base::result<void> insert_findings(connection& d, std::int64_t scan_id, std::span<const finding_record> findings,
                                   std::string_view what);
// The same for a running snapshot of tenant_id, but those the tenant's current versions hold unchanged are only
// marked (matcher_for, finding_versions.hpp).
base::result<void> stage_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  std::span<const finding_record> findings, std::string_view what);

// Inside the caller's write transaction: the scan is still running (or interrupted, for a resume), else the error
// "cannot <what>: scan N is not running — start a new scan".
base::result<void> require_running(connection& d, std::int64_t scan_id, std::string_view what);

// Streams every user of the snapshot with licenses and states, in id order (the rows of `users`, `user_licenses`
// and `license_states`, whether tables of an older schema being migrated or the views of this one).
base::result<void> walk_users_by_id(connection& d, std::int64_t scan_id,
                                    const std::function<void(const user_licenses&)>& fn);

// Brings a read-write database to schema::current_version (creating it when new), in one transaction.
base::result<void> migrate(connection& d);
// True when the file holds entra-audit data of an older schema version (one migrate() would bring forward).
base::result<bool> older_schema(connection& d);
// Checks that a read-only database has exactly schema::current_version.
base::result<void> check_version(connection& d);

}  // namespace detail

struct database::impl : detail::connection {};

}  // namespace storage
