// Schema versions and how a file moves forward from one to the next.
#include "storage/detail/database_impl.hpp"
#include "storage/detail/fact_versions.hpp"
#include "storage/detail/finding_versions.hpp"
#include "storage/detail/schema.hpp"
#include "storage/detail/user_versions.hpp"
#include "storage/finding_row.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace storage::detail {
namespace {

// One step from version to_version - 1 to to_version. A new file skips the steps: it is created at the newest
// version straight from the declarations in schema.cpp (which always describe the newest schema), so a step
// only ever runs on a file written by an older entra-audit.
struct migration {
  int to_version;
  std::string_view what;
  base::result<void> (*apply)(connection& d, std::string_view what);  // nullptr: never needed (first schema)
};

// Version 2: findings_by_upn was keyed on (scan_id, user_principal_name, sku_part_number, sku_id); the last two
// columns doubled the index that every finding a scan stores must be inserted into, for an order SQLite can
// finish by sorting each user's few rows.
base::result<void> shorten_findings_index(connection& d, std::string_view what) {
  if (auto r = d.exec("DROP INDEX IF EXISTS findings_by_upn", what); !r) return r;
  for (const auto& i : schema::indexes())
    if (i.name == std::string_view("findings_by_upn"))
      if (auto r = d.exec(schema::create_index_sql(i), what); !r) return r;
  return {};
}

// Version 3: the doors table (the tenant settings behind self-service licenses). Older snapshots have no rows
// there, which reads as "not read", not as closed doors.
base::result<void> add_doors_table(connection& d, std::string_view what) {
  return d.exec(schema::create_table_sql(schema::table_named("doors")), what);
}

// Version 4: users (with licenses and states) and findings stored as versions that last across the snapshots in
// which they did not change (docs/schema.md "Versions"). Each snapshot is replayed in order through the writer a scan
// uses, so a migrated file holds what a file written by this version would.
base::result<void> version_rows(connection& d, std::string_view what) {
  for (auto name : {"user_versions", "user_license_versions", "license_state_versions", "user_seen", "pending_findings",
                    "finding_versions", "groups"})
    if (auto r = d.exec(schema::create_table_sql(schema::table_named(name)), what); !r) return r;
  for (const auto& i : schema::indexes())
    if (i.name == std::string_view("finding_versions_by_upn"))
      if (auto r = d.exec(schema::create_index_sql(i), what); !r) return r;
  for (const auto& v : schema::views())
    if (auto r = d.exec(fmt::format("DROP VIEW IF EXISTS {}", v.name), what); !r) return r;

  struct snapshot {
    std::int64_t scan_id;
    std::string tenant_id;
    bool complete;
  };
  std::vector<snapshot> snapshots;
  {
    auto s = d.prepared("SELECT scan_id, tenant_id, status = 'complete' FROM scans ORDER BY tenant_id, scan_id", what);
    if (!s) return s.error();
    reset_on_exit guard(**s);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW)
      snapshots.push_back({(*s)->integer(0), (*s)->text(1), (*s)->integer(2) != 0});
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  // Version 3's findings have every column but group_names (added by version 4, empty for them).
  std::string move_findings = "INSERT INTO pending_findings (scan_id";
  std::string from = "SELECT scan_id";
  for (const auto& field : finding_fields) {
    if (field.column.name == "group_names") continue;
    move_findings += fmt::format(", {}", field.column.name);
    from += fmt::format(", {}", field.column.name);
  }
  move_findings += ", group_names) " + from + ", '' FROM findings WHERE scan_id = ?1";
  for (const auto& snap : snapshots) {
    auto writer = open_user_versions::load(d, snap.scan_id, snap.tenant_id, what);
    if (!writer) return writer.error();
    std::optional<base::error> failed;
    std::vector<const assigned_license_record*> licenses;
    std::vector<const license_state_record*> states;
    auto walked = walk_users_by_id(d, snap.scan_id, [&](const user_licenses& u) {
      if (failed) return;
      licenses.clear();
      states.clear();
      for (const auto& l : u.licenses) licenses.push_back(&l);
      for (const auto& st : u.states) states.push_back(&st);
      if (auto r = writer->write(d, u.user, licenses, states, what); !r) failed = r.error();
    });
    if (failed) return *failed;
    if (!walked) return walked;
    auto moved = d.prepared(move_findings, what);
    if (!moved) return moved.error();
    (*moved)->bind_int(1, snap.scan_id);
    if (const int rc = (*moved)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    if (!snap.complete) continue;
    if (auto r = end_unmet_users(d, snap.scan_id, snap.tenant_id, what); !r) return r;
    if (auto r = fold_findings(d, snap.scan_id, snap.tenant_id, later_snapshots::none_yet, what); !r) return r;
  }

  for (auto sql : {"DROP INDEX IF EXISTS findings_by_upn", "DROP TABLE findings", "DROP TABLE license_states",
                   "DROP TABLE user_licenses", "DROP TABLE users"})
    if (auto r = d.exec(sql, what); !r) return r;
  // The views of version 4's tables only: the tables version 6 turned into views are still tables here.
  for (auto name : {"users", "user_licenses", "license_states", "findings"})
    if (auto r = d.exec(schema::create_table_sql(schema::table_named(name)), what); !r) return r;
  for (const auto& v : schema::views())
    if (auto r = d.exec(schema::create_view_sql(v), what); !r) return r;
  return {};
}

// Version 5: the idp_events table (what the identity provider reported; `ingest`). Self-contained: it creates
// only that table, which no snapshot table references.
base::result<void> add_idp_events_table(connection& d, std::string_view what) {
  return d.exec(schema::create_table_sql(schema::table_named("idp_events")), what);
}

// Version 6: SKUs and subscriptions stored once per distinct row, each snapshot listing the rows it read
// (docs/schema.md "Versions"). Each snapshot's facts are read from version 5's tables and written through the writer
// a scan uses, so a migrated file holds what a file written by this version would.
base::result<void> version_facts(connection& d, std::string_view what) {
  for (const auto& v : schema::views())
    if (auto r = d.exec(fmt::format("DROP VIEW IF EXISTS {}", v.name), what); !r) return r;
  constexpr fact_sources v5{"v5_skus", "v5_sku_service_plans", "v5_sku_subscription_ids", "v5_subscriptions"};
  for (auto [from, to] :
       {std::pair{"skus", v5.skus}, std::pair{"sku_service_plans", v5.service_plans},
        std::pair{"sku_subscription_ids", v5.subscription_ids}, std::pair{"subscriptions", v5.subscriptions}})
    if (auto r = d.exec(fmt::format("ALTER TABLE {} RENAME TO {}", from, to), what); !r) return r;
  for (auto name : {"sku_plan_lists", "sku_plan_list_items", "sku_versions", "sku_version_subscription_ids",
                    "subscription_versions", "snapshot_skus", "snapshot_subscriptions"})
    if (auto r = d.exec(schema::create_table_sql(schema::table_named(name)), what); !r) return r;
  for (const auto& i : schema::indexes())
    if (i.table == "sku_plan_lists" || i.table == "sku_versions" || i.table == "subscription_versions")
      if (auto r = d.exec(schema::create_index_sql(i), what); !r) return r;

  std::vector<std::int64_t> snapshots;
  {
    auto s = d.prepared("SELECT scan_id FROM scans ORDER BY scan_id", what);
    if (!s) return s.error();
    reset_on_exit guard(**s);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW) snapshots.push_back((*s)->integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  for (auto scan_id : snapshots) {
    auto skus = read_skus(d, v5, scan_id, what);
    if (!skus) return skus.error();
    auto subscriptions = read_subscriptions(d, v5, scan_id, what);
    if (!subscriptions) return subscriptions.error();
    if (auto r = store_tenant_facts(d, scan_id, *skus, *subscriptions, what); !r) return r;
  }
  for (auto table : {v5.service_plans, v5.subscription_ids, v5.skus, v5.subscriptions})
    if (auto r = d.exec(fmt::format("DROP TABLE {}", table), what); !r) return r;
  for (auto name : {"skus", "sku_service_plans", "sku_subscription_ids", "subscriptions"})
    if (auto r = d.exec(schema::create_table_sql(schema::table_named(name)), what); !r) return r;
  for (const auto& v : schema::views())
    if (auto r = d.exec(schema::create_view_sql(v), what); !r) return r;
  return {};
}

constexpr migration migrations[] = {
    {1, "the first schema: snapshots, tenant facts, users, licenses, findings", nullptr},
    {2, "a shorter findings_by_upn index", shorten_findings_index},
    {3, "the doors table", add_doors_table},
    {4, "users and findings kept as versions across snapshots", version_rows},
    {5, "the idp_events table", add_idp_events_table},
    {6, "SKUs and subscriptions stored once per distinct row", version_facts},
};
static_assert(std::size(migrations) == schema::current_version, "one migration per schema version");

base::result<int> user_version(connection& d, std::string_view what) {
  auto s = d.prepared("PRAGMA user_version", what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return static_cast<int>((*s)->integer(0));
}

// A version-0 file is new only when it holds nothing: we never add our tables to someone else's database.
base::result<bool> is_empty(connection& d, std::string_view what) {
  auto s = d.prepared("SELECT count(*) FROM sqlite_schema", what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return (*s)->integer(0) == 0;
}

base::error newer_file(const connection& d, int found) {
  return base::usage_error(fmt::format(
      "cannot open database '{}': it has schema version {}, newer than the version {} this entra-audit knows — "
      "upgrade entra-audit, or pass --db with another file",
      d.path, found, schema::current_version));
}

base::result<void> create_current_schema(connection& d, std::string_view what) {
  for (const auto& t : schema::tables())
    if (auto r = d.exec(schema::create_table_sql(t), what); !r) return r;
  for (const auto& i : schema::indexes())
    if (auto r = d.exec(schema::create_index_sql(i), what); !r) return r;
  for (const auto& v : schema::views())
    if (auto r = d.exec(schema::create_view_sql(v), what); !r) return r;
  return {};
}

}  // namespace

base::result<void> migrate(connection& d) {
  std::string const what = fmt::format("open database '{}'", d.path);
  // Most opens find the file current: check without taking the write lock a running scan may hold.
  auto found = user_version(d, what);
  if (!found) return found.error();
  if (*found == schema::current_version) return {};
  if (*found > schema::current_version) return newer_file(d, *found);

  auto tx = write_transaction::begin(d, what);
  if (!tx) return tx.error();
  found = user_version(d, what);  // another process may have migrated it while we waited for the lock
  if (!found) return found.error();
  if (*found == schema::current_version) return tx->commit(what);
  if (*found > schema::current_version) return newer_file(d, *found);

  if (*found == 0) {
    auto empty = is_empty(d, what);
    if (!empty) return empty.error();
    if (!*empty)
      return base::usage_error(
          fmt::format("cannot open database '{}': it is an SQLite file of another program "
                      "(it has tables but no entra-audit schema version) — pass --db with a "
                      "new or entra-audit file",
                      d.path));
    // Pruning gives pages back to the file system (docs/schema.md); set before the first table is created.
    if (auto r = d.exec("PRAGMA auto_vacuum = INCREMENTAL", what); !r) return r;
    if (auto r = create_current_schema(d, what); !r) return r;
  } else {
    for (const auto& m : migrations) {
      if (m.to_version <= *found || m.apply == nullptr) continue;
      std::string const step =
          fmt::format("migrate database '{}' to schema version {} ({})", d.path, m.to_version, m.what);
      if (auto r = m.apply(d, step); !r) return r;
    }
  }
  // PRAGMA takes no parameters; the version is our own constant.
  if (auto r = d.exec(fmt::format("PRAGMA user_version = {}", schema::current_version), what); !r) return r;
  if (auto r = tx->commit(what); !r) return r;
  // A file from before version 4 has no auto_vacuum: only VACUUM (outside a transaction) can turn it on. It rewrites
  // the file once, which the migration's new tables make worthwhile anyway.
  auto mode = d.prepared("PRAGMA auto_vacuum", what);
  if (!mode) return mode.error();
  std::int64_t vacuum_mode = 0;
  {
    reset_on_exit guard(**mode);
    if (const int rc = (*mode)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
    vacuum_mode = (*mode)->integer(0);
  }
  if (vacuum_mode != 2)
    if (auto r = d.exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM", what); !r) return r;
  return {};
}

base::result<bool> older_schema(connection& d) {
  auto found = user_version(d, fmt::format("open database '{}'", d.path));
  if (!found) return found.error();
  return *found > 0 && *found < schema::current_version;
}

base::result<void> check_version(connection& d) {
  std::string const what = fmt::format("open database '{}'", d.path);
  auto found = user_version(d, what);
  if (!found) return found.error();
  if (*found == schema::current_version) return {};
  if (*found > schema::current_version) return newer_file(d, *found);
  if (*found == 0)
    return base::usage_error(
        fmt::format("cannot open database '{}': it holds no entra-audit data — run "
                    "`entra-audit scan` first or pass --db",
                    d.path));
  return base::usage_error(
      fmt::format("cannot open database '{}': it has schema version {}, older than version "
                  "{} — run `entra-audit scan` once to migrate it, or pass --db",
                  d.path, *found, schema::current_version));
}

}  // namespace storage::detail
