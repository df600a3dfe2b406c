// Writing a snapshot: begin, tenant, pages of users (each with its next link), plans, finish.
#include "base/redact.hpp"
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/finding_versions.hpp"
#include "storage/detail/json_array.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"
#include "storage/detail/user_versions.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace storage {
namespace {

using detail::statement;

// ISO 8601 UTC with milliseconds, computed by SQLite so that every timestamp in the file has one format.
#define ENTRA_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

// Pages may only go to a snapshot still being written; writing marks an interrupted one running again (resume).
constexpr std::string_view page_done_sql =
    "UPDATE scans SET status = 'running', next_link = ?2, pages = pages + 1, users = users + ?3, requests = ?4, "
    "throttled = ?5 WHERE scan_id = ?1 AND status IN ('running', 'interrupted')";
constexpr std::string_view touch_sql =
    "UPDATE scans SET status = 'running' WHERE scan_id = ?1 AND status IN ('running', 'interrupted')";

base::error not_running(const detail::connection& d, std::int64_t scan_id, std::string_view what) {
  return base::runtime_error(
      fmt::format("cannot {}: scan {} is not running in '{}' — start a new scan", what, scan_id, d.path));
}

// Marks the snapshot running; an error when it is complete, failed or missing.
base::result<void> touch(detail::connection& d, std::int64_t scan_id, std::string_view what) {
  auto s = d.prepared(touch_sql, what);
  if (!s) return s.error();
  (*s)->bind_int(1, scan_id);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  return {};
}

}  // namespace

base::result<std::int64_t> database::begin_scan(const scan_start& start) {
  std::string const what = fmt::format("start a scan in '{}'", impl_->path);
  auto s = impl_->prepared(
      "INSERT INTO scans (tenant_id, tenant_name, status, started_at, finished_at, license_details_mode, "
      "tool_version, graph_endpoint, next_link, pages, users, requests, throttled, error) "
      "VALUES (?1, '', 'running', " ENTRA_NOW ", '', ?2, ?3, ?4, '', 0, 0, 0, 0, '') RETURNING scan_id",
      what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_text(1, start.tenant_id);
  (*s)->bind_text(2, start.license_details_mode);
  (*s)->bind_text(3, start.tool_version);
  (*s)->bind_text(4, start.graph_endpoint);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return impl_->failure(rc, what);
  std::int64_t const id = (*s)->integer(0);
  // Finish the statement so that the autocommit transaction commits now.
  if (const int rc = (*s)->step(); rc != SQLITE_DONE) return impl_->failure(rc, what);
  return id;
}

base::result<void> database::set_tenant(std::int64_t scan_id, const organization_record& org) {
  std::string const what = fmt::format("record the tenant of scan {} in '{}'", scan_id, impl_->path);
  auto s = impl_->prepared(
      "UPDATE scans SET tenant_id = ?2, tenant_name = ?3 WHERE scan_id = ?1 AND status IN ('running', "
      "'interrupted')",
      what);
  if (!s) return s.error();
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, org.tenant_id);
  (*s)->bind_text(3, org.display_name);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return impl_->failure(rc, what);
  if (sqlite3_changes(impl_->db) != 1) return not_running(*impl_, scan_id, what);
  return {};
}

base::result<void> database::write_user_page(std::int64_t scan_id, const user_page& page, std::string_view next_link,
                                             const scan_counters& counters, std::span<const finding_record> findings) {
  std::string const what = fmt::format("store a page of users of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto state = d.prepared(
      "SELECT license_details_mode, tenant_id, (SELECT coalesce(max(seq), 0) FROM license_plans WHERE scan_id = ?1) "
      "FROM scans WHERE scan_id = ?1 AND status IN ('running', 'interrupted')",
      what);
  auto ins_plan = d.prepared(schema::insert_sql(schema::table_named("license_plans"), schema::on_conflict::fail), what);
  auto done = d.prepared(page_done_sql, what);
  for (auto* r : {&state, &ins_plan, &done})
    if (!*r) return r->error();

  // The state query below reads the scan's row inside the transaction, so per-row parent checks add nothing.
  auto tx = detail::write_transaction::begin(d, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  // The user versions in memory change with the rows; unless the transaction commits, they are read again.
  detail::forget_unless_committed keep(d);

  bool derived = false;
  std::string tenant_id;
  std::int64_t plan_seq = 0;
  {
    detail::reset_on_exit guard(**state);
    (*state)->bind_int(1, scan_id);
    const int rc = (*state)->step();
    if (rc == SQLITE_DONE) return not_running(d, scan_id, what);
    if (rc != SQLITE_ROW) return d.failure(rc, what);
    derived = (*state)->text_view(0) == "derived";
    tenant_id = (*state)->text(1);
    plan_seq = (*state)->integer(2);
  }
  auto writer = detail::users_writer(d, scan_id, tenant_id, what);
  if (!writer) return writer.error();

  // Licenses and states come grouped by user in page order (invariant 4), so a walk forward from the previous
  // row's owner finds each owner: one pass over the page, no hash of every id. A row the walk does not find (some
  // other order) switches the page to a map of its ids.
  auto const& users = page.users;
  std::size_t hint = 0;
  std::unordered_map<std::string_view, std::size_t> index_of;
  auto owner = [&](const std::string& user_id) -> base::result<std::size_t> {
    if (index_of.empty()) {
      for (std::size_t i = hint; i < users.size(); ++i) {
        if (users[i].id == user_id) {
          hint = i;
          return i;
        }
      }
      index_of.reserve(users.size());
      // The last copy wins, as readers always took a page's last row of a user.
      for (std::size_t i = 0; i < users.size(); ++i) index_of[users[i].id] = i;
    }
    auto const it = index_of.find(user_id);
    if (it == index_of.end())
      return base::runtime_error(
          fmt::format("cannot {}: a license of user '{}' came without that user in the "
                      "page — this is a bug in entra-audit; please report it",
                      what, user_id));
    return it->second;
  };
  // Each user's rows, in page order: a counting sort of the rows by owner.
  auto by_owner = [&]<class Row>(const std::vector<Row>& rows,
                                 std::vector<const Row*>& sorted) -> base::result<std::vector<std::size_t>> {
    std::vector<std::size_t> owners(rows.size());
    std::vector<std::size_t> start(users.size() + 1, 0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto o = owner(rows[r].user_id);
      if (!o) return o.error();
      owners[r] = *o;
      ++start[*o + 1];
    }
    for (std::size_t u = 0; u < users.size(); ++u) start[u + 1] += start[u];
    sorted.assign(rows.size(), nullptr);
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t r = 0; r < rows.size(); ++r) sorted[fill[owners[r]]++] = &rows[r];
    return start;
  };
  std::vector<const assigned_license_record*> licenses;
  std::vector<const license_state_record*> states;
  auto license_start = by_owner(page.licenses, licenses);
  if (!license_start) return license_start.error();
  auto state_start = by_owner(page.states, states);
  if (!state_start) return state_start.error();

  auto const licenses_of = [&](std::size_t u) {
    return std::span(licenses).subspan((*license_start)[u], (*license_start)[u + 1] - (*license_start)[u]);
  };
  auto const states_of = [&](std::size_t u) {
    return std::span(states).subspan((*state_start)[u], (*state_start)[u + 1] - (*state_start)[u]);
  };
  // The fingerprints of a block of users together (content_batch), then each user written with its own.
  for (std::size_t first = 0; first < users.size(); first += detail::content_batch::rows_per_batch) {
    std::size_t const last = std::min(users.size(), first + detail::content_batch::rows_per_batch);
    std::vector<std::int64_t> const contents = [&] {
      detail::content_batch batch;
      for (std::size_t u = first; u < last; ++u)
        detail::add_user_content(batch, users[u], licenses_of(u), states_of(u));
      return batch.fingerprints();
    }();
    for (std::size_t u = first; u < last; ++u)
      if (auto r = (*writer)->write(d, users[u], licenses_of(u), states_of(u), contents[u - first], what); !r) return r;
  }

  // A derived snapshot's plans are the user's licenses joined with the SKUs' plans: for_each_license_plan
  // derives them on read, so storing them (some 25 rows per license) would only cost time and space.
  if (!derived) {
    for (const auto& p : page.plans) {
      detail::bind_license_plan(**ins_plan, scan_id, ++plan_seq, p);
      if (const int rc = (*ins_plan)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
  }

  if (auto r = detail::stage_findings(d, scan_id, tenant_id, findings, what); !r) return r;

  statement& fin = **done;
  fin.bind_int(1, scan_id);
  fin.bind_text(2, next_link);
  fin.bind_int(3, static_cast<std::int64_t>(page.users.size()));
  fin.bind_int(4, counters.requests);
  fin.bind_int(5, counters.throttled);
  if (const int rc = fin.run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  return {};
}

base::result<void> database::write_license_plans(std::int64_t scan_id, std::span<const license_plan_record> plans) {
  std::string const what = fmt::format("store license details of scan {} in '{}'", scan_id, impl_->path);
  auto ins = impl_->prepared(schema::insert_sql(schema::table_named("license_plans"), schema::on_conflict::fail), what);
  auto last = impl_->prepared("SELECT coalesce(max(seq), 0) FROM license_plans WHERE scan_id = ?1", what);
  for (auto* r : {&ins, &last})
    if (!*r) return r->error();
  // touch() reads the scan's row inside the transaction, so per-row parent checks add nothing.
  auto tx = detail::write_transaction::begin(*impl_, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  if (auto r = touch(*impl_, scan_id, what); !r) return r;
  std::int64_t seq = 0;
  {
    detail::reset_on_exit guard(**last);
    (*last)->bind_int(1, scan_id);
    if (const int rc = (*last)->step(); rc != SQLITE_ROW) return impl_->failure(rc, what);
    seq = (*last)->integer(0);
  }
  // Appended like users; a retried batch is de-duplicated by finish_scan() and by readers (newest row wins).
  for (const auto& p : plans) {
    detail::bind_license_plan(**ins, scan_id, ++seq, p);
    if (const int rc = (*ins)->run(); rc != SQLITE_OK) return impl_->failure(rc, what);
  }
  return tx->commit(what);
}

namespace {

// Deletes the rows that a later copy replaced: users stored twice as new (with their licenses and states) and
// license plans stored twice. Usually finds nothing; costs one sort of the snapshot's new users and its plans.
base::result<void> drop_replaced_rows(detail::connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                      std::string_view what) {
  if (auto r = detail::drop_repeated_users(d, scan_id, tenant_id, what); !r) return r;
  d.user_writer.reset();
  auto stale_plans = d.prepared(
      "SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY user_id, sku_id, service_plan_id ORDER BY seq "
      "DESC) AS n FROM license_plans WHERE scan_id = ?1) WHERE n > 1",
      what);
  auto del_plan = d.prepared("DELETE FROM license_plans WHERE scan_id = ?1 AND seq = ?2", what);
  for (auto* r : {&stale_plans, &del_plan})
    if (!*r) return r->error();
  std::vector<std::int64_t> plans;
  {
    detail::reset_on_exit guard(**stale_plans);
    (*stale_plans)->bind_int(1, scan_id);
    int rc = SQLITE_ROW;
    while ((rc = (*stale_plans)->step()) == SQLITE_ROW) plans.push_back((*stale_plans)->integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  for (auto seq : plans) {
    (*del_plan)->bind_int(1, scan_id);
    (*del_plan)->bind_int(2, seq);
    if (const int rc = (*del_plan)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return {};
}

// The tenant of a snapshot still being written, read inside the caller's transaction; an error when it is not.
base::result<std::string> running_tenant(detail::connection& d, std::int64_t scan_id, std::string_view what) {
  auto s = d.prepared("SELECT tenant_id FROM scans WHERE scan_id = ?1 AND status IN ('running', 'interrupted')", what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  const int rc = (*s)->step();
  if (rc == SQLITE_DONE) return not_running(d, scan_id, what);
  if (rc != SQLITE_ROW) return d.failure(rc, what);
  return base::result<std::string>{boost::system::in_place_value, (*s)->text(0)};
}

}  // namespace

base::result<void> database::remove_older_copies(std::int64_t scan_id) {
  std::string const what = fmt::format("remove the older copies of users in scan {} in '{}'", scan_id, impl_->path);
  auto tx = detail::write_transaction::begin(*impl_, what);
  if (!tx) return tx.error();
  detail::forget_unless_committed keep(*impl_);
  // Only a snapshot still being written is touched (invariant 1); the rows deleted are no row's parent.
  if (auto r = touch(*impl_, scan_id, what); !r) return r;
  auto tenant = running_tenant(*impl_, scan_id, what);
  if (!tenant) return tenant.error();
  if (auto r = drop_replaced_rows(*impl_, scan_id, *tenant, what); !r) return r;
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  return {};
}

base::result<void> database::finish_scan(std::int64_t scan_id, scan_status status, const scan_counters& counters,
                                         std::string_view error, snapshot_copies copies,
                                         std::span<const finding_record> findings) {
  std::string const what = fmt::format("finish scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  // Only a running or interrupted scan is finished (invariant 1); its findings and the removal of copies commit
  // with its status (invariant 3). A finished scan's next link is kept: an interrupted one resumes there; for a
  // complete one it is empty.
  auto s = d.prepared("UPDATE scans SET status = ?2, finished_at = " ENTRA_NOW
                      ", requests = ?3, throttled = ?4, error = ?5, users = ?6 "
                      "WHERE scan_id = ?1 AND status IN ('running', 'interrupted')",
                      what);
  if (!s) return s.error();
  // running_tenant reads the scan's row inside the transaction before anything is written: no per-row parent
  // checks (the rows drop_replaced_rows deletes are no row's parent).
  auto tx = detail::write_transaction::begin(d, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  detail::forget_unless_committed keep(d);
  auto tenant = running_tenant(d, scan_id, what);
  if (!tenant) return tenant.error();
  if (copies == snapshot_copies::possible)
    if (auto r = drop_replaced_rows(d, scan_id, *tenant, what); !r) return r;
  if (auto r = detail::stage_findings(d, scan_id, *tenant, findings, what); !r) return r;

  bool const complete = status == scan_status::complete;
  if (complete) {
    // The users it did not meet went; its findings join the versions (docs/schema.md "Versions").
    if (auto r = detail::end_unmet_users(d, scan_id, *tenant, what); !r) return r;
    if (auto r = detail::fold_findings(d, scan_id, *tenant, detail::later_snapshots::as_stored, what); !r) return r;
    // The staged findings and met marks just left their pages, most of them at the file's end where this night
    // wrote: give them back now (auto_vacuum = INCREMENTAL), or every file carries a night's staging as free pages
    // (a quarter of it at 100,000 users; docs/benchmarks.md "History"). Moving the few pages this night kept among
    // them costs little; inside the transaction, a failure leaves the snapshot unfinished, as any other would.
    if (auto r = d.exec("PRAGMA incremental_vacuum", what); !r) return r;
  }
  auto users = detail::count_users(d, scan_id, *tenant, complete, what);
  if (!users) return users.error();

  // A service's answer may echo a secret in some encoding: the column never stores one (docs/security.md).
  std::string line = base::redact(error);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // the error column is documented as one line
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, to_string(status));
  (*s)->bind_int(3, counters.requests);
  (*s)->bind_int(4, counters.throttled);
  (*s)->bind_text(5, line);
  (*s)->bind_int(6, *users);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  // The snapshot is written: the next one reads the current versions afresh.
  d.user_writer.reset();
  d.findings_matcher.reset();
  return {};
}

}  // namespace storage
