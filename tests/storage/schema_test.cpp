#include "storage/detail/schema.hpp"

#include "sample.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>

namespace {

// Every row of a query's column (the first by default), on a raw connection to the file.
std::vector<std::string> column0(const std::filesystem::path& p, const std::string& sql, int column = 0) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(s, column);
    out.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
  }
  sqlite3_finalize(s);
  sqlite3_close(raw);
  return out;
}

}  // namespace

TEST_CASE("docs/schema.md is the schema generated from the table declarations") {
  const auto doc = std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "docs" / "schema.md";
  const auto generated = storage::schema::markdown();
  if (std::getenv("ENTRA_AUDIT_UPDATE_DOCS") != nullptr) {
    test_support::write_file(doc, generated);
    std::filesystem::permissions(doc, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                          std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  }
  CHECK_MESSAGE(test_support::read_file(doc) == generated,
                "docs/schema.md is out of date: run ENTRA_AUDIT_UPDATE_DOCS=1 test_storage -tc='docs/schema.md*'");
}

TEST_CASE("a new database has exactly the declared tables, columns and views") {
  test_support::temp_dir dir;
  { auto db = storage_test::open(dir / "a.db"); }
  for (const auto& t : storage::schema::tables()) {
    std::vector<std::string> declared;
    for (const auto& c : t.columns) declared.emplace_back(c.name);
    CHECK_MESSAGE(
        column0(dir / "a.db", "SELECT name FROM pragma_table_info('" + std::string(t.name) + "')") == declared, t.name);
  }
  std::vector<std::string> views;
  for (const auto& v : storage::schema::views()) views.emplace_back(v.name);
  for (const auto& t : storage::schema::tables())
    if (t.is_view()) views.emplace_back(t.name);
  std::sort(views.begin(), views.end());
  CHECK(column0(dir / "a.db", "SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name") == views);
  // Each view answers (its SELECT compiles against the tables).
  for (const auto& v : views)
    CHECK(column0(dir / "a.db", "SELECT count(*) FROM " + v) == std::vector<std::string>{"0"});
}

TEST_CASE("findings are read in report order from the index, sorting only each user's rows") {
  test_support::temp_dir dir;
  { auto db = storage_test::open(dir / "a.db"); }
  // The query database::for_each_finding runs for a complete snapshot.
  const auto plan =
      column0(dir / "a.db",
              "EXPLAIN QUERY PLAN SELECT * FROM finding_versions AS f WHERE f.snapshot_tenant_id = 't' AND "
              "f.first_scan <= 1 AND (f.until_scan IS NULL OR f.until_scan > 1) "
              "ORDER BY f.user_principal_name, f.sku_part_number, f.sku_id",
              3);  // the plan's detail column
  std::string joined;
  for (const auto& p : plan) joined += p + "\n";
  CHECK_MESSAGE(joined.find("finding_versions_by_upn") != std::string::npos, joined);
  // Not a sort of the whole result: the index gives the principal-name order, SQLite sorts within each name.
  CHECK_MESSAGE(joined.find("USE TEMP B-TREE FOR ORDER BY") == std::string::npos, joined);
  CHECK_MESSAGE(joined.find("USE TEMP B-TREE FOR RIGHT PART OF ORDER BY") != std::string::npos, joined);
}

TEST_CASE("every table is STRICT and a table of one snapshot's rows is removed with its snapshot") {
  int per_snapshot = 0;
  for (const auto& t : storage::schema::tables()) {
    const auto sql = storage::schema::create_table_sql(t);
    if (t.is_view()) {
      CHECK_MESSAGE(sql.starts_with("CREATE VIEW "), t.name);
      continue;
    }
    CHECK_MESSAGE(sql.find("STRICT") != std::string::npos, t.name);
    bool const references = sql.find("REFERENCES scans (scan_id) ON DELETE CASCADE") != std::string::npos;
    CHECK_MESSAGE(references == t.per_snapshot(), t.name);
    per_snapshot += t.per_snapshot() ? 1 : 0;
  }
  // snapshot_skus, snapshot_subscriptions, user_seen, license_plans, pending_findings, doors, groups
  CHECK(per_snapshot == 7);
}
