// Writing a snapshot: begin, tenant, pages of users (each with its next link), plans, finish.
#include "base/redact.hpp"
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/json_array.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

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
      "SELECT license_details_mode, (SELECT coalesce(max(seq), 0) FROM users WHERE scan_id = ?1), "
      "(SELECT coalesce(max(seq), 0) FROM license_plans WHERE scan_id = ?1) "
      "FROM scans WHERE scan_id = ?1 AND status IN ('running', 'interrupted')",
      what);
  auto ins_user = d.prepared(schema::insert_sql(schema::table_named("users"), schema::on_conflict::fail), what);
  auto ins_license =
      d.prepared(schema::insert_sql(schema::table_named("user_licenses"), schema::on_conflict::replace), what);
  auto ins_state =
      d.prepared(schema::insert_sql(schema::table_named("license_states"), schema::on_conflict::replace), what);
  auto ins_plan = d.prepared(schema::insert_sql(schema::table_named("license_plans"), schema::on_conflict::fail), what);
  auto done = d.prepared(page_done_sql, what);
  for (auto* r : {&state, &ins_user, &ins_license, &ins_state, &ins_plan, &done})
    if (!*r) return r->error();

  // The state query below reads the scan's row inside the transaction, so per-row parent checks add nothing.
  auto tx = detail::write_transaction::begin(d, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();

  bool derived = false;
  std::int64_t user_seq = 0;
  std::int64_t plan_seq = 0;
  {
    detail::reset_on_exit guard(**state);
    (*state)->bind_int(1, scan_id);
    const int rc = (*state)->step();
    if (rc == SQLITE_DONE) return not_running(d, scan_id, what);
    if (rc != SQLITE_ROW) return d.failure(rc, what);
    derived = (*state)->text_view(0) == "derived";
    user_seq = (*state)->integer(1);
    plan_seq = (*state)->integer(2);
  }

  // Users are appended in arrival order (schema.cpp says why). A page stored again (a retried page) appends
  // its users once more with larger seqs: readers take the newest row of a user, and finish_scan() deletes
  // the older ones with their licenses and states, so no user is ever read twice.
  std::int64_t const first_seq = user_seq + 1;
  for (const auto& u : page.users) {
    detail::bind_user(**ins_user, scan_id, ++user_seq, u);
    if (const int rc = (*ins_user)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }

  // Licenses and states come grouped by user in page order (invariant 4), so a walk forward from the previous
  // row's owner finds each owner: one pass over the page, no hash of every id. A row the walk does not find (some
  // other order) switches the page to a map of its ids.
  std::size_t hint = 0;
  std::unordered_map<std::string_view, std::int64_t> seq_of;
  auto owner_seq = [&](const std::string& user_id) -> base::result<std::int64_t> {
    auto const& users = page.users;
    if (seq_of.empty()) {
      for (std::size_t i = hint; i < users.size(); ++i) {
        if (users[i].id == user_id) {
          hint = i;
          return first_seq + static_cast<std::int64_t>(i);
        }
      }
      seq_of.reserve(users.size());
      // The last copy wins, as a stored page's last row of a user is the one readers take.
      for (std::size_t i = 0; i < users.size(); ++i) seq_of[users[i].id] = first_seq + static_cast<std::int64_t>(i);
    }
    auto const it = seq_of.find(user_id);
    if (it == seq_of.end())
      return base::runtime_error(
          fmt::format("cannot {}: a license of user '{}' came without that user in the "
                      "page — this is a bug in entra-audit; please report it",
                      what, user_id));
    return it->second;
  };

  for (const auto& l : page.licenses) {
    const auto seq = owner_seq(l.user_id);
    if (!seq) return seq.error();
    std::string const json = detail::to_json_array(l.disabled_plans);
    detail::bind_assigned_license(**ins_license, scan_id, *seq, l, json);
    if (const int rc = (*ins_license)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }

  // Position keeps each user's licenseAssignmentStates in Graph's order.
  std::unordered_map<std::int64_t, std::int64_t> positions;
  for (const auto& st : page.states) {
    const auto seq = owner_seq(st.user_id);
    if (!seq) return seq.error();
    std::string const json = detail::to_json_array(st.disabled_plans);
    detail::bind_license_state(**ins_state, scan_id, *seq, positions[*seq]++, st, json);
    if (const int rc = (*ins_state)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }

  // A derived snapshot's plans are the user's licenses joined with the SKUs' plans: for_each_license_plan
  // derives them on read, so storing them (some 25 rows per license) would only cost time and space.
  if (!derived) {
    for (const auto& p : page.plans) {
      detail::bind_license_plan(**ins_plan, scan_id, ++plan_seq, p);
      if (const int rc = (*ins_plan)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
  }

  if (auto r = detail::insert_findings(d, scan_id, findings, what); !r) return r;

  statement& fin = **done;
  fin.bind_int(1, scan_id);
  fin.bind_text(2, next_link);
  fin.bind_int(3, static_cast<std::int64_t>(page.users.size()));
  fin.bind_int(4, counters.requests);
  fin.bind_int(5, counters.throttled);
  if (const int rc = fin.run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  return tx->commit(what);
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

// Deletes the rows that a later copy replaced: users stored twice (with their licenses and states) and
// license plans stored twice. Usually finds nothing; costs one sort of the snapshot's (id, seq) pairs.
base::result<void> drop_replaced_rows(detail::connection& d, std::int64_t scan_id, std::string_view what) {
  auto stale_users = d.prepared(
      "SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY id ORDER BY seq DESC) AS n FROM users "
      "WHERE scan_id = ?1) WHERE n > 1",
      what);
  auto stale_plans = d.prepared(
      "SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY user_id, sku_id, service_plan_id ORDER BY seq "
      "DESC) AS n FROM license_plans WHERE scan_id = ?1) WHERE n > 1",
      what);
  auto del_user = d.prepared("DELETE FROM users WHERE scan_id = ?1 AND seq = ?2", what);
  auto del_licenses = d.prepared("DELETE FROM user_licenses WHERE scan_id = ?1 AND user_seq = ?2", what);
  auto del_states = d.prepared("DELETE FROM license_states WHERE scan_id = ?1 AND user_seq = ?2", what);
  auto del_plan = d.prepared("DELETE FROM license_plans WHERE scan_id = ?1 AND seq = ?2", what);
  for (auto* r : {&stale_users, &stale_plans, &del_user, &del_licenses, &del_states, &del_plan})
    if (!*r) return r->error();

  auto collect = [&](statement& s) -> base::result<std::vector<std::int64_t>> {
    detail::reset_on_exit guard(s);
    s.bind_int(1, scan_id);
    std::vector<std::int64_t> seqs;
    int rc = SQLITE_ROW;
    while ((rc = s.step()) == SQLITE_ROW) seqs.push_back(s.integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
    return seqs;
  };
  auto users = collect(**stale_users);
  if (!users) return users.error();
  for (auto seq : *users) {
    for (auto* del : {&del_user, &del_licenses, &del_states}) {
      (**del)->bind_int(1, scan_id);
      (**del)->bind_int(2, seq);
      if (const int rc = (**del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
  }
  auto plans = collect(**stale_plans);
  if (!plans) return plans.error();
  for (auto seq : *plans) {
    (*del_plan)->bind_int(1, scan_id);
    (*del_plan)->bind_int(2, seq);
    if (const int rc = (*del_plan)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return {};
}

}  // namespace

base::result<void> database::remove_older_copies(std::int64_t scan_id) {
  std::string const what = fmt::format("remove the older copies of users in scan {} in '{}'", scan_id, impl_->path);
  auto tx = detail::write_transaction::begin(*impl_, what);
  if (!tx) return tx.error();
  // Only a snapshot still being written is touched (invariant 1); the rows deleted are no row's parent.
  if (auto r = touch(*impl_, scan_id, what); !r) return r;
  if (auto r = drop_replaced_rows(*impl_, scan_id, what); !r) return r;
  return tx->commit(what);
}

base::result<void> database::finish_scan(std::int64_t scan_id, scan_status status, const scan_counters& counters,
                                         std::string_view error, snapshot_copies copies,
                                         std::span<const finding_record> findings) {
  std::string const what = fmt::format("finish scan {} in '{}'", scan_id, impl_->path);
  // Only a running or interrupted scan is finished (invariant 1); its findings and the removal of copies commit
  // with its status (invariant 3). A finished scan's next link is kept: an interrupted one resumes there; for a
  // complete one it is empty.
  auto s = impl_->prepared("UPDATE scans SET status = ?2, finished_at = " ENTRA_NOW
                           ", requests = ?3, throttled = ?4, error = ?5, "
                           "users = (SELECT count(*) FROM users WHERE scan_id = ?1) "
                           "WHERE scan_id = ?1 AND status IN ('running', 'interrupted')",
                           what);
  if (!s) return s.error();
  // With findings to add, the UPDATE below proves the scan's row before anything commits (and the rows
  // drop_replaced_rows may delete are no row's parent): no per-row parent checks.
  auto tx = detail::write_transaction::begin(
      *impl_, what, findings.empty() ? detail::parent_checks::on : detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  if (copies == snapshot_copies::possible)
    if (auto r = drop_replaced_rows(*impl_, scan_id, what); !r) return r;
  if (auto r = detail::insert_findings(*impl_, scan_id, findings, what); !r) return r;

  // A service's answer may echo a secret in some encoding: the column never stores one (docs/security.md).
  std::string line = base::redact(error);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // the error column is documented as one line
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, to_string(status));
  (*s)->bind_int(3, counters.requests);
  (*s)->bind_int(4, counters.throttled);
  (*s)->bind_text(5, line);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return impl_->failure(rc, what);
  if (sqlite3_changes(impl_->db) != 1) return not_running(*impl_, scan_id, what);
  return tx->commit(what);
}

}  // namespace storage
