// Databases earlier releases wrote (tests/data/schema_v3/ and schema_v5/, SOURCES.md there: four snapshots each)
// migrated in place: every snapshot holds the same users, licenses, states, findings, SKUs and subscriptions as before.
#include "sample.hpp"
#include "sql_rows.hpp"
#include "storage/database.hpp"
#include "storage/detail/schema.hpp"
#include "storage/finding_row.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace storage_test;

namespace {

void exec(const std::filesystem::path& p, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &message);
  std::string const text = message == nullptr ? "" : message;
  sqlite3_free(message);
  sqlite3_close(raw);
  REQUIRE_MESSAGE(rc == SQLITE_OK, text);
}

// The file of schema version `version` as its release wrote it.
void write_fixture(const std::filesystem::path& p, int version) {
  auto const name = "schema_v" + std::to_string(version);
  exec(p, test_support::read_file(std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" / name /
                                  (name + ".sql")));
}
void write_v3(const std::filesystem::path& p) { write_fixture(p, 3); }

// The findings' columns of schema version 3 (every one but group_names, which version 4 added).
std::string v3_finding_columns() {
  std::string out = "scan_id";
  for (const auto& field : storage::finding_fields)
    if (field.column.name != "group_names") out += ", " + std::string(field.column.name);
  return out;
}

// What every snapshot holds, without the row numbers (seq) that version 4 renumbers.
const std::map<std::string, std::string> held_queries = {
    {"users",
     "SELECT scan_id, id, user_principal_name, display_name, mail, user_type, account_enabled, usage_location, "
     "on_premises_sync_enabled, department, created_date_time, creation_type FROM users ORDER BY scan_id, id"},
    {"licenses", "SELECT scan_id, user_id, sku_id, disabled_plans FROM user_licenses ORDER BY 1, 2, 3"},
    {"states",
     "SELECT scan_id, user_id, position, sku_id, assigned_by_group, state, error, last_updated_date_time, "
     "disabled_plans FROM license_states ORDER BY 1, 2, 3"},
    {"findings", "SELECT " + v3_finding_columns() +
                     " FROM findings ORDER BY scan_id, user_principal_name, sku_part_number, sku_id, origin"},
    {"latest",
     "SELECT (SELECT count(*) FROM latest_users), (SELECT count(*) FROM latest_user_licenses), "
     "(SELECT count(*) FROM latest_license_states), (SELECT count(*) FROM latest_findings)"},
    {"latest_findings", "SELECT " + v3_finding_columns() + " FROM latest_findings"},
    {"scans", "SELECT * FROM scans ORDER BY scan_id"},
    {"skus", "SELECT * FROM skus ORDER BY scan_id, id"},
    {"sku_service_plans", "SELECT * FROM sku_service_plans ORDER BY scan_id, sku_key, position"},
    {"sku_subscription_ids", "SELECT * FROM sku_subscription_ids ORDER BY scan_id, sku_key, position"},
    {"subscriptions", "SELECT * FROM subscriptions ORDER BY scan_id, id"},
};

std::map<std::string, std::vector<std::string>> held(const std::filesystem::path& p) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, sql] : held_queries) out[name] = rows(p, sql);
  return out;
}

void check_same(const std::map<std::string, std::vector<std::string>>& before,
                const std::map<std::string, std::vector<std::string>>& after) {
  for (const auto& [name, r] : before) {
    CAPTURE(name);
    CHECK(r.size() == after.at(name).size());
    CHECK(r == after.at(name));
  }
}

}  // namespace

TEST_CASE("a version 3 database migrates in place and every snapshot holds the same rows as before") {
  test_support::temp_dir dir;
  write_v3(dir / "a.db");
  auto const before = held(dir / "a.db");
  REQUIRE(before.at("users").size() > 200);  // four snapshots of about sixty users
  { auto db = open(dir / "a.db"); }
  CHECK(rows(dir / "a.db", "PRAGMA user_version") ==
        std::vector<std::string>{std::to_string(storage::schema::current_version)});
  CHECK(rows(dir / "a.db", "PRAGMA auto_vacuum") == std::vector<std::string>{"2"});
  check_same(before, held(dir / "a.db"));
  CHECK(rows(dir / "a.db", "SELECT count(*) FROM findings WHERE group_names <> ''") == std::vector<std::string>{"0"});
  // Stored once for the snapshots in which they did not change.
  auto const versions = std::stoll(rows(dir / "a.db", "SELECT count(*) FROM user_versions").at(0));
  CHECK(versions < static_cast<long long>(before.at("users").size()) / 2);
  auto const finding_versions = std::stoll(rows(dir / "a.db", "SELECT count(*) FROM finding_versions").at(0));
  CHECK(finding_versions < static_cast<long long>(before.at("findings").size()) / 2);

  // And it reads through the API as through the views, in report order.
  auto db = open(dir / "a.db", storage::open_mode::read_only);
  std::vector<std::string> upns;
  ok(db.for_each_finding(4, [&](const storage::finding_record& f) { upns.push_back(f.user_principal_name); }));
  std::vector<std::string> expected;
  for (const auto& r : rows(dir / "a.db",
                            "SELECT user_principal_name FROM findings WHERE scan_id = 4 ORDER BY user_principal_name, "
                            "sku_part_number, sku_id"))
    expected.push_back(r);
  CHECK(upns == expected);
}

TEST_CASE("version 1 and version 2 databases migrate through every later version to the same rows") {
  for (int version : {1, 2}) {
    CAPTURE(version);
    test_support::temp_dir dir;
    write_v3(dir / "a.db");
    exec(dir / "a.db", "DROP TABLE doors");
    if (version == 1)
      exec(dir / "a.db",
           "DROP INDEX findings_by_upn; CREATE INDEX findings_by_upn ON findings (scan_id, user_principal_name, "
           "sku_part_number, sku_id)");
    exec(dir / "a.db", "PRAGMA user_version = " + std::to_string(version));
    auto const before = held(dir / "a.db");
    { auto db = open(dir / "a.db"); }
    check_same(before, held(dir / "a.db"));
  }
}

TEST_CASE("a read-only open of a version 3 database migrates it once and then reads it") {
  test_support::temp_dir dir;
  write_v3(dir / "a.db");
  auto db = open(dir / "a.db", storage::open_mode::read_only);
  CHECK(rows(dir / "a.db", "PRAGMA user_version") ==
        std::vector<std::string>{std::to_string(storage::schema::current_version)});
  CHECK(user_ids(db, 4).size() == 60);
  auto refused = db.begin_scan(start());
  CHECK_FALSE(refused.has_value());  // still read-only
}

TEST_CASE("a version 5 database migrates in place and every snapshot holds the same SKUs and subscriptions, once") {
  test_support::temp_dir dir;
  write_fixture(dir / "a.db", 5);
  auto const before = held(dir / "a.db");
  auto const group_findings = rows(dir / "a.db", "SELECT * FROM findings WHERE group_names <> '' ORDER BY 1, 2, 3, 4");
  REQUIRE(before.at("skus").size() == 40);  // four snapshots of ten SKUs
  REQUIRE(before.at("sku_service_plans").size() > 500);
  REQUIRE(group_findings.size() > 10);
  { auto db = open(dir / "a.db"); }
  CHECK(rows(dir / "a.db", "PRAGMA user_version") ==
        std::vector<std::string>{std::to_string(storage::schema::current_version)});
  check_same(before, held(dir / "a.db"));
  CHECK(rows(dir / "a.db", "SELECT * FROM findings WHERE group_names <> '' ORDER BY 1, 2, 3, 4") == group_findings);
  // Each distinct row once: the SKUs whose consumed_units changed, and one plan list per distinct list.
  CHECK(rows(dir / "a.db", "SELECT count(*) FROM sku_versions") ==
        std::vector<std::string>{rows(dir / "a.db",
                                      "SELECT count(*) FROM (SELECT DISTINCT id, sku_id, "
                                      "sku_part_number, account_id, account_name, applies_to, "
                                      "capability_status, consumed_units, prepaid_enabled, "
                                      "prepaid_suspended, prepaid_warning, prepaid_locked_out FROM skus)")
                                     .at(0)});
  CHECK(std::stoll(rows(dir / "a.db", "SELECT count(*) FROM sku_plan_list_items").at(0)) <
        static_cast<long long>(before.at("sku_service_plans").size()) / 3);
  CHECK(rows(dir / "a.db", "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'v5_%'") ==
        std::vector<std::string>{"0"});
}
