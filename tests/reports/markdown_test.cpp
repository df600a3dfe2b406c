#include "reports/detail/markdown.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

namespace {

std::string render(const std::vector<storage::finding_record>& findings) {
  test_support::temp_dir dir;
  const auto path = (dir / "r.md").string();
  storage::scan_info scan;
  scan.scan_id = 3;
  scan.tenant_id = "11111111-2222-3333-4444-555555555555";
  scan.tenant_name = "Contoso | # Ltd";
  scan.finished_at = "2026-11-23T09:01:00Z";
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  REQUIRE(reports_test::ok(reports::render_markdown(scan, reports_test::source_of(findings), {}, *out)));
  REQUIRE(reports_test::ok(out->commit()));
  return test_support::read_file(path);
}

}  // namespace

TEST_CASE("the Markdown summary escapes names so they neither format nor break the table") {
  const auto md = render(reports_test::hostile_findings());
  CHECK(md.find("Contoso \\| \\# Ltd") != std::string::npos);
  CHECK(md.find("two\xEF\xBF\xBDlines \\| \\*bold\\* \\_x\\_ \\`c\\` \\[l\\] \\#h") != std::string::npos);
  CHECK(md.find("\\<script\\>alert(1)\\</script\\>") != std::string::npos);
  CHECK(md.find("<script>") == std::string::npos);
  CHECK(md.find("two\nlines") == std::string::npos);
}

TEST_CASE("the Markdown summary has the headline, origins, top SKUs, top users and the CSV command") {
  const auto md = render(reports_test::hostile_findings());
  CHECK(md.find("**3 users will break provisioning**") != std::string::npos);
  CHECK(md.find("| Partner-managed (partner\\_managed) | 1 |") != std::string::npos);
  CHECK(md.find("| POWER\\_BI\\_STANDARD | Power BI (free) | 3 |") != std::string::npos);
  CHECK(md.find("| alice@contoso.com | \\<script\\>alert(1)\\</script\\> | 2 | yes |") != std::string::npos);
  CHECK(md.find("--scan-id 3 --format csv") != std::string::npos);
}

TEST_CASE("an empty snapshot's Markdown says provisioning will not be blocked") {
  const auto md = render({});
  CHECK(md.find("No findings — provisioning will not be blocked") != std::string::npos);
  CHECK(md.find("| Origin |") == std::string::npos);
}
