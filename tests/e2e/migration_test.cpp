// The reports of databases earlier releases wrote (tests/data/schema_v3/ and schema_v5/: four snapshots each, with
// what that release reported from them, SOURCES.md there): the binary migrates the file and reports the same.
#include "e2e/sql_probe.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

std::filesystem::path fixture(const std::string& name, int version = 3) {
  return std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" / ("schema_v" + std::to_string(version)) /
         name;
}

// A fresh copy of the fixture database of schema version `version`, as its release left it.
std::string load_fixture(const test_support::temp_dir& dir, int version) {
  auto const db = (dir / ("v" + std::to_string(version) + ".db")).string();
  test_support::write_file(db, "");  // an empty file is an empty database
  e2e::execute_sql(db, test_support::read_file(fixture("schema_v" + std::to_string(version) + ".sql", version)));
  REQUIRE(e2e::query_int(db, "PRAGMA user_version") == version);
  return db;
}

// diff 1 4 and report --user of the fixture's user give what its release wrote.
void check_diff_and_user(const test_support::temp_dir& dir, const std::string& db, int version) {
  auto const diff = dir / "diff-1-4.json";
  auto r = run_entra_audit({"diff", "--db", db, "1", "4", "--format", "json", "--out", diff.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(test_support::read_file(diff) == test_support::read_file(fixture("diff-1-4.json", version)));
  auto const user = dir / "user.md";
  r = run_entra_audit(
      {"report", "--db", db, "--user", "ana.simoes57@contoso-11.onmicrosoft.com", "--out", user.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(test_support::read_file(user) == test_support::read_file(fixture("user.md", version)));
}

// A findings CSV as the release before schema 4 wrote it: every column but group_names (added at the end since).
std::vector<std::vector<std::string>> without_group_names(const std::string& csv) {
  auto rows = test_support::parse_csv(csv);
  REQUIRE_FALSE(rows.empty());
  REQUIRE(rows[0].back() == "group_names");
  auto const columns = rows[0].size();
  for (auto& row : rows) {
    CHECK(row.size() == columns);
    if (&row != &rows[0]) CHECK(row.back().empty());  // migrated snapshots read no group names
    row.pop_back();
  }
  return rows;
}

// A JSON document with every "group_names" member removed (the key schema 4 added to each finding).
rapidjson::Document without_group_names_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  std::vector<rapidjson::Value*> todo{&doc};
  while (!todo.empty()) {
    auto* v = todo.back();
    todo.pop_back();
    if (v->IsObject()) {
      v->RemoveMember("group_names");
      for (auto& m : v->GetObject()) todo.push_back(&m.value);
    } else if (v->IsArray()) {
      for (auto& e : v->GetArray()) todo.push_back(&e);
    }
  }
  return doc;
}

// Each snapshot's CSV, the newest one's JSON and Markdown, and `report` opened read-only: it migrates the file first,
// once. same(format, written, expected) compares a report this build wrote with what the fixture's release wrote.
template <class Same>
void check_reports(const test_support::temp_dir& dir, const std::string& db, int version, Same same) {
  auto write = [&](const std::string& scan, const std::string& format) {
    auto const out = dir / ("scan" + scan + "." + format);
    auto r = run_entra_audit({"report", "--db", db, "--scan-id", scan, "--format", format, "--out", out.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    same(format, test_support::read_file(out), test_support::read_file(fixture(out.filename().string(), version)));
  };
  for (int scan = 1; scan <= 4; ++scan) {
    CAPTURE(scan);
    write(std::to_string(scan), "csv");
  }
  CHECK(e2e::query_int(db, "PRAGMA user_version") > version);  // migrated
  for (std::string format : {"json", "md"}) {
    CAPTURE(format);
    write("4", format);
  }
  check_diff_and_user(dir, db, version);
}

}  // namespace

TEST_CASE("e2e: a database written at schema version 3 reports, diffs and shows users exactly as that release did") {
  test_support::temp_dir dir;
  check_reports(dir, load_fixture(dir, 3), 3,
                [](const std::string& format, const std::string& text, const std::string& expected) {
                  if (format == "csv") CHECK(without_group_names(text) == test_support::parse_csv(expected));
                  else if (format == "json")
                    CHECK(without_group_names_json(text) == without_group_names_json(expected));
                  else CHECK(text == expected);
                });
}

TEST_CASE("e2e: a database written at schema version 5 reports, diffs and shows users exactly as that release did") {
  test_support::temp_dir dir;
  check_reports(
      dir, load_fixture(dir, 5), 5,
      [](const std::string&, const std::string& text, const std::string& expected) { CHECK(text == expected); });
}
