#include "reports/detail/diff.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

namespace {

struct two_snapshots {
  std::vector<storage::finding_record> before, after;
  two_snapshots() {
    using reports_test::make_finding;
    before = {make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase"),
              make_finding(2, "b@contoso.com", "B", "POWER_BI_PRO", "mixed_ownership"),
              make_finding(3, "c@contoso.com", "C", "POWER_BI_STANDARD", "self_service_signup")};
    after = {make_finding(2, "b@contoso.com", "B", "POWER_BI_PRO", "partner_managed"),
             make_finding(3, "c@contoso.com", "C", "POWER_BI_STANDARD", "self_service_signup"),
             make_finding(4, "d@contoso.com", "D\x1b[31m", "POWER_BI_PRO", "group_inherited")};
  }
};

std::string render(const std::vector<reports::diff_entry>& changes, reports::diff_format fmt) {
  test_support::temp_dir dir;
  const auto path = (dir / "diff").string();
  storage::scan_info from, to;
  from.scan_id = 1;
  to.scan_id = 2;
  to.tenant_id = from.tenant_id = "11111111-2222-3333-4444-555555555555";
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  reports::render_diff(from, to, changes, {}, fmt, *out);
  REQUIRE(reports_test::ok(out->commit()));
  return test_support::read_file(path);
}

}  // namespace

TEST_CASE("a diff reports new, resolved and changed-origin findings keyed on tenant, user and SKU") {
  two_snapshots s;
  auto changes = reports::compute_diff(reports_test::source_of(s.before), reports_test::source_of(s.after));
  REQUIRE(reports_test::ok(changes));
  REQUIRE(changes->size() == 3);
  CHECK((*changes)[0].change == "resolved");
  CHECK((*changes)[0].user_principal_name == "a@contoso.com");
  CHECK((*changes)[0].from_origin == "self_service_purchase");
  CHECK((*changes)[1].change == "changed");
  CHECK((*changes)[1].from_origin == "mixed_ownership");
  CHECK((*changes)[1].to_origin == "partner_managed");
  CHECK((*changes)[2].change == "new");
  CHECK((*changes)[2].to_origin == "group_inherited");

  const auto text = render(*changes, reports::diff_format::text);
  CHECK(text.find("- a@contoso.com  POWER_BI_PRO  self_service_purchase\n") != std::string::npos);
  CHECK(text.find("~ b@contoso.com  POWER_BI_PRO  mixed_ownership \u2192 partner_managed\n") != std::string::npos);
  CHECK(text.find("+ d@contoso.com  POWER_BI_PRO  group_inherited\n") != std::string::npos);
  CHECK(text.find("1 new, 1 resolved, 1 changed") != std::string::npos);

  const auto csv = render(*changes, reports::diff_format::csv);
  CHECK(
      csv.starts_with("change,tenant_id,user_id,user_principal_name,sku_id,sku_part_number,from_origin,to_origin\r\n"));
  CHECK(
      csv.find("\r\nchanged,11111111-2222-3333-4444-555555555555,00000000-0000-0000-0000-000000000002,"
               "b@contoso.com,f8a1db68-be16-40ed-86d5-cb42ce701560,POWER_BI_PRO,mixed_ownership,partner_managed\r\n") !=
      std::string::npos);

  const auto json = render(*changes, reports::diff_format::json);
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["summary"]["new"].GetInt() == 1);
  CHECK(doc["summary"]["resolved"].GetInt() == 1);
  CHECK(doc["summary"]["changed"].GetInt() == 1);
  CHECK(doc["changes"][0]["to_origin"].IsNull());
  CHECK(doc["changes"][2]["from_origin"].IsNull());
}

TEST_CASE("identical snapshots give an empty diff") {
  two_snapshots s;
  auto changes = reports::compute_diff(reports_test::source_of(s.after), reports_test::source_of(s.after));
  REQUIRE(reports_test::ok(changes));
  CHECK(changes->empty());
  CHECK(render(*changes, reports::diff_format::text).find("no changes") != std::string::npos);
}
