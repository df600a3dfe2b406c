#include "reports/detail/json.hpp"

#include "sample_findings.hpp"
#include "storage/finding_row.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

namespace {

storage::scan_info sample_scan() {
  storage::scan_info scan;
  scan.scan_id = 7;
  scan.tenant_id = "11111111-2222-3333-4444-555555555555";
  scan.tenant_name = "Contoso \"Test\" <Tenant>";
  scan.status = storage::scan_status::complete;
  scan.started_at = "2026-11-23T09:00:00Z";
  scan.finished_at = "2026-11-23T09:01:00Z";
  scan.license_details_mode = "derived";
  scan.tool_version = "0.1.0";
  scan.users = 5;
  scan.requests = 9;
  return scan;
}

rapidjson::Document render(const std::vector<storage::finding_record>& findings) {
  test_support::temp_dir dir;
  const auto path = (dir / "r.json").string();
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  REQUIRE(reports_test::ok(reports::render_json(sample_scan(), reports_test::source_of(findings), {}, *out)));
  REQUIRE(reports_test::ok(out->commit()));
  const auto text = test_support::read_file(path);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

}  // namespace

TEST_CASE("the JSON report parses and carries snapshot metadata, findings and exact counts") {
  const auto doc = render(reports_test::hostile_findings());
  CHECK(doc["format_version"].GetInt() == 1);
  const auto& snap = doc["snapshot"];
  CHECK(snap["scan_id"].GetInt64() == 7);
  CHECK(std::string(snap["tenant_name"].GetString()) == "Contoso \"Test\" <Tenant>");
  CHECK(std::string(snap["mode"].GetString()) == "derived");
  CHECK(snap["users"].GetInt64() == 5);
  CHECK(snap["requests"].GetInt64() == 9);

  const auto& findings = doc["findings"].GetArray();
  REQUIRE(findings.Size() == 5);
  // Names round-trip unescaped; field names are the CSV column names.
  CHECK(std::string(findings[0]["user_principal_name"].GetString()) == "=cmd@contoso.com");
  CHECK(std::string(findings[0]["display_name"].GetString()) == "Smith, \"Bob\"");
  CHECK(std::string(findings[1]["display_name"].GetString()) == "<script>alert(1)</script>");
  CHECK(std::string(findings[3]["display_name"].GetString()) == "two\nlines | *bold* _x_ `c` [l] #h");
  CHECK(std::string(findings[4]["display_name"].GetString()) ==
        "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x98\x80 +1 @x");
  // Booleans are JSON booleans (null when unknown); lists are arrays.
  CHECK(findings[0]["account_enabled"].IsTrue());
  CHECK(findings[4]["account_enabled"].IsNull());
  CHECK(findings[0]["is_trial"].IsFalse());
  REQUIRE(findings[0]["evidence"].IsArray());
  CHECK(findings[0]["evidence"].Size() == 2);
  CHECK(findings[0]["subscription_ids"].Size() == 2);
  CHECK(findings[0]["group_ids"].Size() == 0);
  CHECK(std::string(findings[3]["idp_outcome"].GetString()) == "removal_refused_400");

  const auto& s = doc["summary"];
  CHECK(s["findings"].GetInt64() == 5);
  CHECK(s["users_with_findings"].GetInt64() == 4);
  CHECK(s["preflight"].IsTrue());
  CHECK(s["users_refused_403"].GetInt64() == 2);
  CHECK(s["users_refused_400"].GetInt64() == 1);
  CHECK(s["users_may_be_refused"].GetInt64() == 1);
  CHECK(s["users_blocked"].GetInt64() == 3);
  CHECK(s["by_origin"]["partner_managed"].GetInt64() == 1);
  CHECK(s["by_origin"]["mixed_ownership"].GetInt64() == 0);
  CHECK(s["by_idp_outcome"]["unaffected"].GetInt64() == 1);
  REQUIRE(s["by_sku"].Size() == 2);
  CHECK(std::string(s["by_sku"][0]["sku_part_number"].GetString()) == "POWER_BI_STANDARD");
  CHECK(s["by_sku"][0]["findings"].GetInt64() == 3);
}

TEST_CASE("an empty snapshot gives a valid JSON document with zero counts") {
  const auto doc = render({});
  CHECK(doc["findings"].GetArray().Size() == 0);
  CHECK(doc["summary"]["findings"].GetInt64() == 0);
  CHECK(doc["summary"]["users_with_findings"].GetInt64() == 0);
  CHECK(doc["summary"]["preflight"].IsFalse());
  CHECK(doc["summary"]["by_origin"]["group_inherited"].GetInt64() == 0);
  CHECK(doc["summary"]["users_blocked"].GetInt64() == 0);
}

TEST_CASE("invalid UTF-8 in a name still gives valid JSON") {
  auto findings = reports_test::hostile_findings();
  findings[0].display_name = "bad \xC3\x28 byte";
  const auto doc = render(findings);
  CHECK(std::string(doc["findings"][0]["display_name"].GetString()) == "bad \xEF\xBF\xBD( byte");
}

TEST_CASE("a JSON finding has one member per storage::finding_fields column, in order") {
  const auto doc = render(reports_test::hostile_findings());
  const auto& finding = doc["findings"][0];
  REQUIRE(finding.MemberCount() == storage::finding_field_count);
  std::size_t i = 0;
  for (auto m = finding.MemberBegin(); m != finding.MemberEnd(); ++m, ++i)
    CHECK(std::string_view(m->name.GetString()) == storage::finding_fields[i].column.name);
}
