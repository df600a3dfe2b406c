#include "reports/detail/by_owner.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

TEST_CASE("findings are split into one CSV per owner, unowned.csv and an index") {
  test_support::temp_dir dir;
  auto findings = reports_test::hostile_findings();
  findings[3].owner_ids.clear();  // group-inherited: no owner
  findings[3].owner_upns.clear();
  const auto out_dir = (dir / "owners").string();
  auto files = reports::render_by_owner(reports_test::source_of(findings), out_dir);
  REQUIRE(reports_test::ok(files));
  CHECK(files->back() == out_dir + "/index.csv");

  // The purchaser "=cmd@contoso.com" is sanitized; alice has two rows; carol's partner tenant gets its file.
  const auto cmd = test_support::read_file(dir / "owners/_cmd@contoso.com.csv");
  CHECK(cmd.starts_with("tenant_id,user_id,"));
  CHECK(cmd.find("'=cmd@contoso.com") != std::string::npos);
  const auto alice = test_support::read_file(dir / "owners/alice@contoso.com.csv");
  std::size_t rows = 0;
  for (auto i = alice.find("\r\n"); i != std::string::npos; i = alice.find("\r\n", i + 2)) ++rows;
  CHECK(rows == 3);  // header + 2
  CHECK(std::filesystem::exists(dir / "owners/99999999-8888-7777-6666-555555555555.csv"));
  const auto unowned = test_support::read_file(dir / "owners/unowned.csv");
  CHECK(unowned.find("bob@contoso.com") != std::string::npos);

  const auto index = test_support::read_file(dir / "owners/index.csv");
  CHECK(index.starts_with("owner,owner_kind,file,findings,users\r\n"));
  CHECK(index.find("alice@contoso.com,purchaser,alice@contoso.com.csv,2,1\r\n") != std::string::npos);
  CHECK(index.find(",none,unowned.csv,1,1\r\n") != std::string::npos);

  for (const auto& f : *files) {
    struct stat st {};
    REQUIRE(::stat(f.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  // No temporary file is left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir / "owners"))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("an empty snapshot by owner gives a header-only unowned.csv and an index") {
  test_support::temp_dir dir;
  auto files = reports::render_by_owner(reports_test::source_of({}), dir.path().string());
  REQUIRE(reports_test::ok(files));
  CHECK(files->size() == 2);
  CHECK(test_support::read_file(dir / "unowned.csv").starts_with("tenant_id,"));
}

TEST_CASE("owners whose names collide get distinct files") {
  test_support::temp_dir dir;
  using reports_test::make_finding;
  std::vector<storage::finding_record> findings = {
      make_finding(1, "a b@x.com", "A", "POWER_BI_PRO", "self_service_purchase"),
      make_finding(2, "a/b@x.com", "B", "POWER_BI_PRO", "self_service_purchase"),
      make_finding(3, "index", "C", "POWER_BI_PRO", "self_service_purchase")};
  auto files = reports::render_by_owner(reports_test::source_of(findings), dir.path().string());
  REQUIRE(reports_test::ok(files));
  CHECK(std::filesystem::exists(dir / "a_b@x.com.csv"));
  CHECK(std::filesystem::exists(dir / "a_b@x.com-2.csv"));
  CHECK(std::filesystem::exists(dir / "index-2.csv"));
}

TEST_CASE("by owner into a path that is a file is a usage error") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "f", "x");
  auto files = reports::render_by_owner(reports_test::source_of({}), (dir / "f").string());
  REQUIRE_FALSE(files.has_value());
  CHECK(files.error().code == base::exit_code::usage);
}
