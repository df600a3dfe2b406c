// The reports of a database an earlier release wrote (tests/data/schema_v3/: four snapshots at schema version 3,
// with what that release reported from them, SOURCES.md there): the binary migrates the file and reports the same.
#include "e2e/sql_probe.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" / "schema_v3" / name;
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

}  // namespace

TEST_CASE("e2e: a database written at schema version 3 reports, diffs and shows users exactly as that release did") {
  test_support::temp_dir dir;
  auto const db = (dir / "v3.db").string();
  test_support::write_file(db, "");  // an empty file is an empty database
  e2e::execute_sql(db, test_support::read_file(fixture("schema_v3.sql")));
  REQUIRE(e2e::query_int(db, "PRAGMA user_version") == 3);

  // `report` opens read-only: it migrates the file first, once.
  for (int scan = 1; scan <= 4; ++scan) {
    CAPTURE(scan);
    auto const out = dir / ("scan" + std::to_string(scan) + ".csv");
    auto r = run_entra_audit(
        {"report", "--db", db, "--scan-id", std::to_string(scan), "--format", "csv", "--out", out.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(without_group_names(test_support::read_file(out)) ==
          test_support::parse_csv(test_support::read_file(fixture(out.filename().string()))));
  }
  CHECK(e2e::query_int(db, "PRAGMA user_version") > 3);  // migrated
  for (std::string format : {"json", "md"}) {
    CAPTURE(format);
    auto const out = dir / ("scan4." + format);
    auto r = run_entra_audit({"report", "--db", db, "--scan-id", "4", "--format", format, "--out", out.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto const text = test_support::read_file(out);
    auto const expected = test_support::read_file(fixture(out.filename().string()));
    if (format == "md") CHECK(text == expected);
    else CHECK(without_group_names_json(text) == without_group_names_json(expected));
  }
  auto const diff = dir / "diff-1-4.json";
  auto r = run_entra_audit({"diff", "--db", db, "1", "4", "--format", "json", "--out", diff.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(test_support::read_file(diff) == test_support::read_file(fixture("diff-1-4.json")));
  auto const user = dir / "user.md";
  r = run_entra_audit(
      {"report", "--db", db, "--user", "ana.simoes57@contoso-11.onmicrosoft.com", "--out", user.string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(test_support::read_file(user) == test_support::read_file(fixture("user.md")));
}
