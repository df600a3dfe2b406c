#include "reports/detail/html.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

namespace {

storage::scan_info sample_scan() {
  storage::scan_info scan;
  scan.scan_id = 4;
  scan.tenant_id = "11111111-2222-3333-4444-555555555555";
  scan.tenant_name = "Contoso <b>&</b>";
  scan.status = storage::scan_status::complete;
  scan.started_at = "2026-11-23T09:00:00Z";
  scan.finished_at = "2026-11-23T09:01:00Z";
  scan.tool_version = "0.1.0";
  return scan;
}

std::string render(const std::vector<storage::finding_record>& findings, reports::html_options options = {}) {
  test_support::temp_dir dir;
  const auto path = (dir / "r.html").string();
  std::vector<reports::trend_point> trend = {{2, "2026-11-21T09:00:00Z", 7},
                                             {3, "2026-11-22T09:00:00Z", 6},
                                             {4, "2026-11-23T09:01:00Z", static_cast<std::int64_t>(findings.size())}};
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  REQUIRE(
      reports_test::ok(reports::render_html(sample_scan(), trend, reports_test::source_of(findings), *out, options)));
  REQUIRE(reports_test::ok(out->commit()));
  return test_support::read_file(path);
}

// The JSON inside <script type="application/json" id="report-data">.
std::string data_block(const std::string& html) {
  const auto open = std::string("<script type=\"application/json\" id=\"report-data\">");
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  return html.substr(begin + open.size(), end - begin - open.size());
}

std::size_t count(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto i = text.find(needle); i != std::string::npos; i = text.find(needle, i + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a hostile display name renders as text, never as markup or script") {
  const auto html = render(reports_test::hostile_findings());
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("alert(1)</script>") == std::string::npos);
  // The tenant name is escaped in the title and the heading.
  CHECK(html.find("Contoso &lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
  // In the data block the name is a JSON string with < > escaped, which the page puts in textContent.
  const auto data = data_block(html);
  CHECK(data.find("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e") != std::string::npos);
  rapidjson::Document doc;
  doc.Parse(data.c_str(), data.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc["rows"].Size() == 5);
  CHECK(std::string(doc["rows"][1][1].GetString()) == "<script>alert(1)</script>");
  // Only our two script elements exist: the data block and the code.
  CHECK(count(html, "<script") == 2);
}

TEST_CASE("the HTML report is self-contained: no external fetches") {
  const auto html = render(reports_test::hostile_findings());
  CHECK(html.find("src=\"http") == std::string::npos);
  CHECK(html.find("href=\"http") == std::string::npos);
  CHECK(html.find("@import") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("Content-Security-Policy") != std::string::npos);
}

TEST_CASE("the HTML headline counts users whose provisioning call would fail, with charts and guidance") {
  const auto html = render(reports_test::hostile_findings());
  CHECK(html.find("<div class=\"big\">3</div><div><div class=\"what\">users will break provisioning") !=
        std::string::npos);
  CHECK(html.find("Findings by origin") != std::string::npos);
  CHECK(html.find("Trend across snapshots") != std::string::npos);
  CHECK(html.find("<svg class=\"chart\"") != std::string::npos);
  CHECK(html.find("data-origin=\"group_inherited\"><h3>") != std::string::npos);
  CHECK(html.find("data-ready=\"0\"") != std::string::npos);
}

TEST_CASE("an empty snapshot's HTML says provisioning will not be blocked") {
  const auto html = render({});
  CHECK(html.find("No findings — provisioning will not be blocked") != std::string::npos);
  rapidjson::Document doc;
  const auto data = data_block(html);
  doc.Parse(data.c_str(), data.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["rows"].Size() == 0);
}

TEST_CASE("a large snapshot embeds only the capped rows but keeps the counts exact") {
  std::vector<storage::finding_record> findings;
  for (int i = 0; i < 30; ++i)
    findings.push_back(reports_test::make_finding(i, "u" + std::to_string(100 + i) + "@contoso.com", "User",
                                                  "POWER_BI_PRO", "self_service_purchase"));
  const auto html = render(findings, reports::html_options{10, {}});
  CHECK(html.find("first 10 of 30 findings") != std::string::npos);
  CHECK(html.find("<div class=\"big\">30</div><div><div class=\"what\">users hold licenses") != std::string::npos);
  rapidjson::Document doc;
  const auto data = data_block(html);
  doc.Parse(data.c_str(), data.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["rows"].Size() == 10);
}
