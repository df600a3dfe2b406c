// The reports of a database an earlier release wrote (tests/data/schema_v3/: four snapshots at schema version 3,
// with what that release reported from them, SOURCES.md there): the binary migrates the file and reports the same.
#include "e2e/sql_probe.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using test_support::run_entra_audit;

namespace {

std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" / "schema_v3" / name;
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
    CHECK(test_support::read_file(out) == test_support::read_file(fixture(out.filename().string())));
  }
  CHECK(e2e::query_int(db, "PRAGMA user_version") == 4);
  for (std::string format : {"json", "md"}) {
    CAPTURE(format);
    auto const out = dir / ("scan4." + format);
    auto r = run_entra_audit({"report", "--db", db, "--scan-id", "4", "--format", format, "--out", out.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(test_support::read_file(out) == test_support::read_file(fixture(out.filename().string())));
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
