#include "reports/report.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <random>
#include <sys/stat.h>

namespace {

constexpr std::string_view tenant = "11111111-2222-3333-4444-555555555555";
constexpr std::string_view other_tenant = "aaaaaaaa-2222-3333-4444-555555555555";

// A real database in a temporary directory, with helpers to store complete snapshots.
struct fixture {
  test_support::temp_dir dir;
  storage::database db = storage::database::open((dir / "audit.db").string()).value();

  std::int64_t snapshot(std::vector<storage::finding_record> findings, std::string_view tenant_id = tenant) {
    const auto id = db.begin_scan({std::string(tenant_id), "derived", "0.1.0", "http://127.0.0.1:1"}).value();
    db.set_tenant(id, {std::string(tenant_id), "Contoso \"<Test>\" & Co"}).value();
    storage::user_page page;
    for (const auto& f : findings) {
      if (std::any_of(page.users.begin(), page.users.end(), [&](const auto& u) { return u.id == f.user_id; })) continue;
      storage::user_record u;
      u.id = f.user_id;
      u.user_principal_name = f.user_principal_name;
      u.display_name = f.display_name;
      page.users.push_back(u);
    }
    db.write_user_page(id, page, "", {3, 0}).value();
    for (auto& f : findings) f.tenant_id = std::string(tenant_id);
    // Stored shuffled: the report order must come from the reader, not from the insertion order.
    std::mt19937 rng(5);
    std::shuffle(findings.begin(), findings.end(), rng);
    db.replace_findings(id, findings).value();
    db.finish_scan(id, storage::scan_status::complete, {4, 0}).value();
    return id;
  }

  std::string report(std::int64_t id, reports::format fmt) {
    const auto path = (dir / "report.out").string();
    const auto r = reports::write_report(db, id, {fmt, path, {}});
    REQUIRE(reports_test::ok(r));
    return test_support::read_file(path);
  }
};

std::vector<storage::finding_record> with_byte_order_traps() {
  auto v = reports_test::hostile_findings();
  // 'Z' (0x5A) sorts before 'a' (0x61) and "é" (0xC3 0xA9) after every ASCII letter when comparing bytes.
  v.push_back(reports_test::make_finding(10, "Zed@contoso.com", "Zed", "POWER_BI_PRO", "self_service_trial",
                                         "removal_refused_403"));
  v.push_back(reports_test::make_finding(11, "\xC3\xA9lise@contoso.com", "\xC3\x89lise", "POWER_BI_PRO",
                                         "mixed_ownership", "removal_may_be_refused"));
  return v;
}

std::vector<std::string> column(const std::string& csv, std::size_t index) {
  // Splits simple rows only (the UPN column of our data never needs quotes).
  std::vector<std::string> values;
  std::size_t line = csv.find("\r\n") + 2;
  while (line < csv.size()) {
    std::size_t start = line;
    for (std::size_t i = 0; i < index; ++i) start = csv.find(',', start) + 1;
    values.push_back(csv.substr(start, csv.find(',', start) - start));
    // Skip to the next row start: a row ends with CRLF outside quotes; quoted newlines in our data are LF only.
    line = csv.find("\r\n", line) + 2;
  }
  return values;
}

}  // namespace

TEST_CASE("a stored snapshot's CSV has the contract header and rows sorted by upn bytes, then SKU") {
  fixture fx;
  const auto id = fx.snapshot(with_byte_order_traps());
  const auto csv = fx.report(id, reports::format::csv);
  CHECK(
      csv.starts_with("tenant_id,user_id,user_principal_name,display_name,account_enabled,user_type,department,"
                      "sku_id,sku_part_number,product_name,origin,confidence,evidence,assignment,group_ids,"
                      "subscription_ids,owner_ids,owner_upns,owner_tenant_ids,is_trial,idp_outcome,"
                      "recommended_action,group_names\r\n"));
  const auto upns = column(csv, 2);
  const std::vector<std::string> expected = {"'=cmd@contoso.com",       "Zed@contoso.com", "alice@contoso.com",
                                             "alice@contoso.com",       "bob@contoso.com", "carol@contoso.com",
                                             "\xC3\xA9lise@contoso.com"};
  CHECK(upns == expected);
  const auto skus = column(csv, 8);
  CHECK(skus[2] == "POWER_BI_PRO");
  CHECK(skus[3] == "POWER_BI_STANDARD");
  CHECK(csv.find("\"Smith, \"\"Bob\"\"\"") != std::string::npos);
  CHECK(csv.ends_with("\r\n"));
}

TEST_CASE("a stored snapshot's JSON has its metadata and exact counts") {
  fixture fx;
  const auto id = fx.snapshot(with_byte_order_traps());
  const auto text = fx.report(id, reports::format::json);
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["snapshot"]["scan_id"].GetInt64() == id);
  CHECK(std::string(doc["snapshot"]["tenant_id"].GetString()) == tenant);
  CHECK(std::string(doc["snapshot"]["tenant_name"].GetString()) == "Contoso \"<Test>\" & Co");
  CHECK(std::string(doc["snapshot"]["status"].GetString()) == "complete");
  CHECK(doc["findings"].Size() == 7);
  CHECK(doc["summary"]["users_with_findings"].GetInt64() == 6);
  CHECK(doc["summary"]["users_refused_403"].GetInt64() == 3);
  CHECK(doc["summary"]["users_may_be_refused"].GetInt64() == 2);
  CHECK(doc["summary"]["users_blocked"].GetInt64() == 5);
  CHECK(std::string(doc["findings"][2]["display_name"].GetString()) == "<script>alert(1)</script>");
}

TEST_CASE("a stored snapshot's HTML escapes names and draws the tenant's trend") {
  fixture fx;
  fx.snapshot({reports_test::make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase")});
  const auto id = fx.snapshot(with_byte_order_traps());
  fx.snapshot({}, other_tenant);  // another tenant's snapshot is not part of the trend
  const auto html = fx.report(id, reports::format::html);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("\\u003cscript\\u003ealert(1)") != std::string::npos);
  CHECK(html.find("Contoso &quot;&lt;Test&gt;&quot; &amp; Co") != std::string::npos);
  CHECK(html.find("findings in the last 2 snapshots") != std::string::npos);
  CHECK(html.find("<div class=\"big\">5</div><div><div class=\"what\">users will break provisioning") !=
        std::string::npos);
}

TEST_CASE("a stored snapshot's Markdown summary escapes names") {
  fixture fx;
  const auto id = fx.snapshot(with_byte_order_traps());
  const auto md = fx.report(id, reports::format::md);
  CHECK(md.find("\\<script\\>") != std::string::npos);
  CHECK(md.find("**5 users will break provisioning**") != std::string::npos);
}

TEST_CASE("an empty snapshot gives valid outputs in every format") {
  fixture fx;
  const auto id = fx.snapshot({});
  CHECK(fx.report(id, reports::format::csv).find("\r\n") + 2 == fx.report(id, reports::format::csv).size());
  const auto json = fx.report(id, reports::format::json);
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["summary"]["findings"].GetInt64() == 0);
  CHECK(fx.report(id, reports::format::html).find("No findings — provisioning will not be blocked") !=
        std::string::npos);
  CHECK(fx.report(id, reports::format::md).find("No findings") != std::string::npos);
}

TEST_CASE("a missing snapshot id is a usage error naming the id, and writes nothing") {
  fixture fx;
  const auto path = (fx.dir / "r.csv").string();
  const auto r = reports::write_report(fx.db, 4242, {reports::format::csv, path, {}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("4242") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));
  const auto owners = reports::write_reports_by_owner(fx.db, 4242, (fx.dir / "o").string());
  REQUIRE_FALSE(owners.has_value());
  CHECK(owners.error().code == base::exit_code::usage);
}

TEST_CASE("a report written by write_report has mode 0600") {
  fixture fx;
  const auto id = fx.snapshot(reports_test::hostile_findings());
  for (const auto fmt : {reports::format::csv, reports::format::json, reports::format::html, reports::format::md}) {
    const auto path = (fx.dir / "r.any").string();
    REQUIRE(reports_test::ok(reports::write_report(fx.db, id, {fmt, path, {}})));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
}

TEST_CASE("a report into a missing directory is a one-line error naming the path and the fix") {
  fixture fx;
  const auto id = fx.snapshot({});
  const auto path = (fx.dir / "no-such-dir" / "r.csv").string();
  const auto r = reports::write_report(fx.db, id, {reports::format::csv, path, {}});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find(path) != std::string::npos);
  CHECK(r.error().message.find("--out") != std::string::npos);
  CHECK(r.error().message.find('\n') == std::string::npos);
}

TEST_CASE("reports by owner from a stored snapshot") {
  fixture fx;
  const auto id = fx.snapshot(reports_test::hostile_findings());
  const auto files = reports::write_reports_by_owner(fx.db, id, (fx.dir / "owners").string());
  REQUIRE(reports_test::ok(files));
  CHECK(files->back().ends_with("/index.csv"));
  CHECK(std::filesystem::exists(fx.dir / "owners" / "alice@contoso.com.csv"));
  CHECK(std::filesystem::exists(fx.dir / "owners" / "unowned.csv"));
}

TEST_CASE("a diff of two stored snapshots lists new, resolved and changed findings") {
  fixture fx;
  using reports_test::make_finding;
  const auto from = fx.snapshot({make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase"),
                                 make_finding(2, "b@contoso.com", "B", "POWER_BI_PRO", "mixed_ownership")});
  const auto to = fx.snapshot({make_finding(2, "b@contoso.com", "B", "POWER_BI_PRO", "partner_managed"),
                               make_finding(3, "c@contoso.com", "C", "POWER_BI_PRO", "group_inherited")});
  const auto path = (fx.dir / "diff.txt").string();
  REQUIRE(reports_test::ok(reports::write_diff(fx.db, from, to, reports::diff_format::text, path)));
  const auto text = test_support::read_file(path);
  CHECK(text.find("- a@contoso.com  POWER_BI_PRO  self_service_purchase") != std::string::npos);
  CHECK(text.find("~ b@contoso.com  POWER_BI_PRO  mixed_ownership \u2192 partner_managed") != std::string::npos);
  CHECK(text.find("+ c@contoso.com  POWER_BI_PRO  group_inherited") != std::string::npos);
}

TEST_CASE("a diff of snapshots of different tenants is a usage error") {
  fixture fx;
  const auto a = fx.snapshot({});
  const auto b = fx.snapshot({}, other_tenant);
  const auto r = reports::write_diff(fx.db, a, b, reports::diff_format::csv, (fx.dir / "d.csv").string());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find(other_tenant) != std::string::npos);
  const auto missing = reports::write_diff(fx.db, a, 999, reports::diff_format::csv, {});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == base::exit_code::usage);
}

TEST_CASE("format names parse to formats") {
  CHECK(reports::parse_format("html") == reports::format::html);
  CHECK(reports::parse_format("markdown") == reports::format::md);
  CHECK_FALSE(reports::parse_format("xml"));
  CHECK(reports::parse_diff_format("text") == reports::diff_format::text);
  CHECK_FALSE(reports::parse_diff_format("html"));
}
