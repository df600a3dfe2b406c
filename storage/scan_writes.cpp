// Writing a snapshot: begin, tenant, pages of users (each with its next link), plans, finish.
#include "storage/database.hpp"

#include "storage/database_impl.hpp"
#include "storage/json_array.hpp"
#include "storage/rows.hpp"
#include "storage/schema.hpp"

#include <sqlite3.h>

#include <string>
#include <unordered_map>

#include <fmt/format.h>

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
  return base::runtime_error(fmt::format("cannot {}: scan {} is not running in '{}' — start a new scan", what,
                                         scan_id, d.path));
}

// Marks the snapshot running; an error when it is complete, failed or missing.
base::result<void> touch(detail::connection& d, std::int64_t scan_id, std::string_view what) {
  auto s = d.prepared(touch_sql, what);
  if (!s) return s.error();
  (*s)->bind_int(1, scan_id);
  if (int const rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  return {};
}

// Steps an insert or delete whose parameters are bound; the SQLite code, statement reset.
int run(statement& s) { return s.run(); }

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
  if (int const rc = (*s)->step(); rc != SQLITE_ROW) return impl_->failure(rc, what);
  std::int64_t const id = (*s)->integer(0);
  // Finish the statement so that the autocommit transaction commits now.
  if (int const rc = (*s)->step(); rc != SQLITE_DONE) return impl_->failure(rc, what);
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
  if (int const rc = (*s)->run(); rc != SQLITE_OK) return impl_->failure(rc, what);
  if (sqlite3_changes(impl_->db) != 1) return not_running(*impl_, scan_id, what);
  return {};
}

base::result<void> database::write_user_page(std::int64_t scan_id, const user_page& page,
                                             std::string_view next_link, const scan_counters& counters) {
  std::string const what = fmt::format("store a page of users of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto exists = d.prepared("SELECT 1 FROM users WHERE scan_id = ?1 AND id = ?2", what);
  auto del_licenses = d.prepared("DELETE FROM user_licenses WHERE scan_id = ?1 AND user_id = ?2", what);
  auto del_states = d.prepared("DELETE FROM license_states WHERE scan_id = ?1 AND user_id = ?2", what);
  auto del_plans = d.prepared("DELETE FROM license_plans WHERE scan_id = ?1 AND user_id = ?2", what);
  auto ins_user = d.prepared(schema::insert_sql(schema::table_named("users"), true), what);
  auto ins_license = d.prepared(schema::insert_sql(schema::table_named("user_licenses"), true), what);
  auto ins_state = d.prepared(schema::insert_sql(schema::table_named("license_states"), true), what);
  auto ins_plan = d.prepared(schema::insert_sql(schema::table_named("license_plans"), true), what);
  auto done = d.prepared(page_done_sql, what);
  for (auto* r : {&exists, &del_licenses, &del_states, &del_plans, &ins_user, &ins_license, &ins_state, &ins_plan,
                  &done})
    if (!*r) return r->error();

  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();

  // A page stored again (a retried page, or the page in flight when a scan was killed) replaces its users:
  // their license, state and plan rows go first so that none is left twice or stale.
  std::int64_t replaced = 0;
  for (auto const& u : page.users) {
    statement& probe = **exists;
    probe.bind_int(1, scan_id);
    probe.bind_text(2, u.id);
    int rc = probe.step();
    bool const seen = rc == SQLITE_ROW;
    probe.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return d.failure(rc, what);
    if (seen) {
      ++replaced;
      for (auto* del : {&del_licenses, &del_states, &del_plans}) {
        (**del)->bind_int(1, scan_id);
        (**del)->bind_text(2, u.id);
        if (rc = run(***del); rc != SQLITE_OK) return d.failure(rc, what);
      }
    }
    detail::bind_user(**ins_user, scan_id, u);
    if (rc = run(**ins_user); rc != SQLITE_OK) return d.failure(rc, what);
  }

  for (auto const& l : page.licenses) {
    std::string const json = detail::to_json_array(l.disabled_plans);
    detail::bind_assigned_license(**ins_license, scan_id, l, json);
    if (int const rc = run(**ins_license); rc != SQLITE_OK) return d.failure(rc, what);
  }

  // Position keeps each user's licenseAssignmentStates in Graph's order.
  std::unordered_map<std::string_view, std::int64_t> positions;
  for (auto const& st : page.states) {
    std::string const json = detail::to_json_array(st.disabled_plans);
    detail::bind_license_state(**ins_state, scan_id, positions[st.user_id]++, st, json);
    if (int const rc = run(**ins_state); rc != SQLITE_OK) return d.failure(rc, what);
  }

  for (auto const& p : page.plans) {
    detail::bind_license_plan(**ins_plan, scan_id, p);
    if (int const rc = run(**ins_plan); rc != SQLITE_OK) return d.failure(rc, what);
  }

  statement& fin = **done;
  fin.bind_int(1, scan_id);
  fin.bind_text(2, next_link);
  fin.bind_int(3, static_cast<std::int64_t>(page.users.size()) - replaced);
  fin.bind_int(4, counters.requests);
  fin.bind_int(5, counters.throttled);
  if (int const rc = run(fin); rc != SQLITE_OK) return d.failure(rc, what);
  if (sqlite3_changes(d.db) != 1) return not_running(d, scan_id, what);
  return tx->commit(what);
}

base::result<void> database::write_license_plans(std::int64_t scan_id, std::span<const license_plan_record> plans) {
  std::string const what = fmt::format("store license details of scan {} in '{}'", scan_id, impl_->path);
  auto ins = impl_->prepared(schema::insert_sql(schema::table_named("license_plans"), true), what);
  if (!ins) return ins.error();
  auto tx = detail::write_transaction::begin(*impl_, what);
  if (!tx) return tx.error();
  if (auto r = touch(*impl_, scan_id, what); !r) return r;
  for (auto const& p : plans) {
    detail::bind_license_plan(**ins, scan_id, p);
    if (int const rc = run(**ins); rc != SQLITE_OK) return impl_->failure(rc, what);
  }
  return tx->commit(what);
}

base::result<void> database::finish_scan(std::int64_t scan_id, scan_status status, const scan_counters& counters,
                                         std::string_view error) {
  std::string const what = fmt::format("finish scan {} in '{}'", scan_id, impl_->path);
  // A finished scan's next link is kept: an interrupted one resumes there; for a complete one it is empty.
  auto s = impl_->prepared("UPDATE scans SET status = ?2, finished_at = " ENTRA_NOW
                           ", requests = ?3, throttled = ?4, error = ?5 WHERE scan_id = ?1 AND status IN "
                           "('running', 'interrupted')",
                           what);
  if (!s) return s.error();
  std::string line(error);
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';  // the error column is documented as one line
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, to_string(status));
  (*s)->bind_int(3, counters.requests);
  (*s)->bind_int(4, counters.throttled);
  (*s)->bind_text(5, line);
  if (int const rc = (*s)->run(); rc != SQLITE_OK) return impl_->failure(rc, what);
  if (sqlite3_changes(impl_->db) != 1) return not_running(*impl_, scan_id, what);
  return {};
}

}  // namespace storage
