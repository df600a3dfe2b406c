#include "reports/calibration.hpp"

#include "reports/fail_on.hpp"
#include "reports/report.hpp"
#include "storage/sample.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace {

using storage_test::guid;

storage::finding_record finding(int n, int sku, std::string origin, std::string outcome) {
  storage::finding_record f;
  f.tenant_id = guid(9999);
  f.user_id = guid(n);
  f.user_principal_name = fmt::format("user{}@contoso.example", n);
  f.sku_id = guid(sku);
  f.sku_part_number = sku == 1000 ? "POWER_BI_PRO" : "SPE_E5";
  f.origin = std::move(origin);
  f.idp_outcome = std::move(outcome);
  f.evidence = "test";
  return f;
}

storage::idp_event_record failure(std::string id, int user, std::string at, int status = 403) {
  return {.event_id = std::move(id),
          .source = "okta_log",
          .observed_at = std::move(at),
          .outcome = "failure",
          .user_id = guid(user),
          .http_status = status,
          .error_code = "Authorization_RequestDenied",
          .request_id = "req-" + std::to_string(user)};
}

// One complete snapshot of users 1..6 with the pre-flight's predictions, and the identity provider's events after it.
struct scenario {
  test_support::temp_dir dir;
  storage::database db = storage_test::open(dir / "a.db");
  std::int64_t scan_id = storage_test::complete_scan(db, 1, 6);

  scenario() {
    std::vector<storage::finding_record> findings{finding(1, 1000, "self_service_purchase", "removal_refused_403"),
                                                  finding(2, 1001, "group_inherited", "removal_refused_400"),
                                                  finding(3, 1000, "self_service_signup", "removal_may_be_refused"),
                                                  finding(5, 1000, "partner_managed", "removal_refused_403"),
                                                  finding(6, 1000, "self_service_trial", "removal_refused_403")};
    storage_test::ok(db.replace_findings(scan_id, findings));
    auto by_upn = failure("e4", 4, "2999-01-01T02:00:00.000Z");
    by_upn.user_id.clear();
    by_upn.user_principal_name = "USER4@contoso.example";
    auto later_success = failure("e5b", 5, "2999-01-02T02:00:00.000Z");
    later_success.outcome = "success";
    later_success.http_status.reset();
    std::vector<storage::idp_event_record> events{
        failure("e1", 1, "2999-01-01T02:00:00.000Z"),  failure("e2", 2, "2999-01-01T02:00:00.000Z"),
        failure("e3", 3, "2999-01-01T02:00:00.000Z"),  by_upn,
        failure("e5a", 5, "2999-01-01T02:00:00.000Z"), later_success,
        failure("e9", 99, "2999-01-01T02:00:00.000Z"), failure("e0", 1, "2000-01-01T02:00:00.000Z")};
    storage_test::ok(db.add_idp_events(events));
  }
};

const reports::calibration_group* group(const std::vector<reports::calibration_group>& groups, std::string_view key) {
  auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.key == key; });
  return it == groups.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("calibration counts hits, misses, contradictions and the uncertain from each user's newest event") {
  scenario s;
  auto c = reports::calibrate(s.db, "");
  REQUIRE(c.has_value());
  CHECK(c->preflight);
  CHECK(c->events == 8);
  CHECK(c->counts.hits == 2);                // users 1 and 2
  CHECK(c->counts.status_differs == 1);      // user 2: 400 predicted, 403 observed
  CHECK(c->counts.uncertain_refused == 1);   // user 3
  CHECK(c->counts.misses == 1);              // user 4, named by principal name in another case
  CHECK(c->counts.contradictions == 1);      // user 5: refused, then a push went through
  CHECK(c->counts.predicted_not_seen == 1);  // user 6
  CHECK(c->counts.unmatched_events == 2);    // a user not in the snapshot, an event before any snapshot
  CHECK(c->counts.agreed_successes == 0);
  CHECK(c->counts.other_failures == 0);
  REQUIRE(c->overall.precision.has_value());
  CHECK(*c->overall.precision == doctest::Approx(2.0 / 3.0));
  REQUIRE(c->overall.recall.has_value());
  CHECK(*c->overall.recall == doctest::Approx(0.5));
  REQUIRE(c->users.size() == 5);
  CHECK(c->users[3].user_id == guid(4));
  CHECK(c->users[3].verdict == "miss");
  CHECK(c->users[3].licenses.size() == 2);  // its two licenses, both the organization's: the evidence of the miss
}

TEST_CASE("calibration per origin and per SKU gives each group's hits, misses and contradictions") {
  scenario s;
  auto c = reports::calibrate(s.db, "");
  REQUIRE(c.has_value());
  auto const* purchase = group(c->by_origin, "self_service_purchase");
  REQUIRE(purchase != nullptr);
  CHECK(purchase->hits == 1);
  CHECK(purchase->precision == 1.0);
  auto const* partner = group(c->by_origin, "partner_managed");
  REQUIRE(partner != nullptr);
  CHECK(partner->contradictions == 1);
  CHECK(partner->precision == 0.0);
  CHECK_FALSE(partner->recall.has_value());
  auto const* organization = group(c->by_origin, "organization");
  REQUIRE(organization != nullptr);
  CHECK(organization->misses == 1);  // user 4 was refused holding only the organization's licenses
  auto const* signup = group(c->by_origin, "self_service_signup");
  REQUIRE(signup != nullptr);
  CHECK(signup->misses == 1);  // user 3: "may be refused" is not a prediction of refusal
  CHECK(signup->recall == 0.0);
  auto const* e5 = group(c->by_sku, "SPE_E5");
  REQUIRE(e5 != nullptr);
  CHECK(e5->hits == 1);  // user 2's group-inherited license
}

TEST_CASE("the calibration JSON names its counts and lists every miss and contradiction with the licenses") {
  scenario s;
  auto c = reports::calibrate(s.db, "");
  REQUIRE(c.has_value());
  auto const path = (s.dir / "c.json").string();
  REQUIRE(reports::write_calibration(*c, reports::calibration_format::json, path).has_value());
  auto const json = test_support::read_file(path);
  CHECK(json.find(R"("misses":1,)") != std::string::npos);
  CHECK(json.find(R"("contradictions":1,)") != std::string::npos);
  CHECK(json.find(R"("hits":2,)") != std::string::npos);
  CHECK(json.find(R"("user_principal_name":"user4@contoso.example")") != std::string::npos);
  CHECK(json.find(R"("request_id":"req-5")") != std::string::npos);
  auto const md_path = (s.dir / "c.md").string();
  REQUIRE(reports::write_calibration(*c, reports::calibration_format::md, md_path).has_value());
  auto const md = test_support::read_file(md_path);
  CHECK(md.find("Misses") != std::string::npos);
  CHECK(md.find("user4@contoso.example") != std::string::npos);
  auto const csv_path = (s.dir / "c.csv").string();
  REQUIRE(reports::write_calibration(*c, reports::calibration_format::csv, csv_path).has_value());
  auto const rows = test_support::parse_csv(test_support::read_file(csv_path));
  CHECK(rows.size() == 6);  // header and five users
}

TEST_CASE("fail-on missed holds only when the identity provider saw a refusal no snapshot predicted") {
  auto conditions = reports::parse_fail_on("missed");
  REQUIRE(conditions.has_value());
  REQUIRE(conditions->size() == 1);
  CHECK((*conditions)[0]->needs_calibration);
  reports::fail_on_facts facts;
  CHECK_FALSE(reports::any_met(*conditions, facts));
  facts.missed = 1;
  CHECK(reports::any_met(*conditions, facts));
}

TEST_CASE("calibration without a complete snapshot is a usage error naming the fix") {
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "a.db");
  auto c = reports::calibrate(db, "");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == base::exit_code::usage);
  CHECK(c.error().message.find("entra-audit scan") != std::string::npos);
}

TEST_CASE("the HTML report shows predicted versus observed once events were ingested, and not before") {
  scenario s;
  auto const path = (s.dir / "r.html").string();
  reports::report_options options;
  options.fmt = reports::format::html;
  options.out_path = path;
  REQUIRE(reports::write_report(s.db, s.scan_id, options).has_value());
  auto const page = test_support::read_file(path);
  CHECK(page.find("<h2>Predicted versus observed</h2>") != std::string::npos);
  CHECK(page.find("<h3>Misses (observed refused, not predicted) (2)</h3>") != std::string::npos);
  CHECK(page.find("<strong>user4@contoso.example</strong>: observed refused_403") != std::string::npos);

  test_support::temp_dir other;
  auto db = storage_test::open(other / "b.db");
  auto const id = storage_test::complete_scan(db, 1, 2);
  options.out_path = (other / "r.html").string();
  REQUIRE(reports::write_report(db, id, options).has_value());
  CHECK(test_support::read_file(options.out_path).find("Predicted versus observed") == std::string::npos);
}
