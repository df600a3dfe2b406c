#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace scanner_test;

TEST_CASE("under a small throttle budget a fetch scan loses no page and duplicates nothing") {
  graphsim::sim_options sim_options;
  sim_options.users = 300;
  sim_options.seed = 11;
  sim_options.throttle_ru = 150;  // per 10 s: the licenseDetails items alone need several times that
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);

  auto const summary = scanner::run_scan(db, options_for(*sim, scanner::license_details_mode::fetch));
  REQUIRE_OK(summary);
  MESSAGE("throttled " << summary->throttled << " times in " << summary->requests << " requests");
  CHECK(summary->throttled > 0);
  auto const truth = served(300, 11);
  auto const got = stored(db, summary->scan_id);
  CHECK(got.user_rows == 300);
  CHECK(got.users == truth.users);
  CHECK(got.licenses == truth.licenses);
  // Every licensed user got plan rows despite the 429s.
  std::set<std::string> with_plans;
  for (auto const& row : got.plans) with_plans.insert(std::get<0>(row));
  std::set<std::string> licensed;
  for (auto const& l : truth.licenses) licensed.insert(l.first);
  CHECK(with_plans == licensed);
}

TEST_CASE("with 5% of requests failing, derived and fetch scans still store exactly the served data") {
  for (auto const mode : {scanner::license_details_mode::derived, scanner::license_details_mode::fetch}) {
    graphsim::sim_options sim_options;
    sim_options.users = mode == scanner::license_details_mode::derived ? 3000 : 400;
    sim_options.seed = 5;
    sim_options.fault_rate = 0.05;
    sim_options.fault_seed = 42;
    auto sim = start_sim(sim_options);
    test_support::temp_dir dir;
    auto db = open_db(dir);
    auto const summary = scanner::run_scan(db, options_for(*sim, mode));
    REQUIRE_OK(summary);
    auto const truth = served(sim_options.users, 5);
    auto const got = stored(db, summary->scan_id);
    CHECK(got.user_rows == static_cast<std::int64_t>(sim_options.users));
    CHECK(got.users == truth.users);
    CHECK(got.licenses == truth.licenses);
  }
}

TEST_CASE(
    "a persistently malformed body fails the scan naming the URL and request-id, and the last good snapshot "
    "stays the latest") {
  test_support::temp_dir dir;
  auto db = open_db(dir);
  std::int64_t good = 0;
  {
    graphsim::sim_options sim_options;
    sim_options.users = 1500;
    auto sim = start_sim(sim_options);
    auto const summary = scanner::run_scan(db, options_for(*sim));
    REQUIRE_OK(summary);
    good = summary->scan_id;
  }
  graphsim::sim_options sim_options;
  sim_options.users = 1500;
  sim_options.fault_schedule = "5-:malformed";  // organization, SKUs, subscriptions and page 1 pass
  auto sim = start_sim(sim_options);
  auto const failed = scanner::run_scan(db, options_for(*sim));
  REQUIRE_FALSE(failed.has_value());
  auto const& message = failed.error().message;
  MESSAGE(message);
  CHECK(message.find("/v1.0/users") != std::string::npos);
  CHECK(message.find("request-id") != std::string::npos);
  CHECK(message.find("users page") != std::string::npos);
  CHECK(failed.error().code == base::exit_code::runtime);

  auto const latest = db.latest_complete_scan(sim->tenant_id());
  REQUIRE_OK(latest);
  REQUIRE(latest->has_value());
  CHECK((*latest)->scan_id == good);
  auto const scans = db.scans(sim->tenant_id());
  REQUIRE_OK(scans);
  REQUIRE(scans->size() == 2);
  CHECK(scans->front().status == storage::scan_status::failed);
  CHECK(scans->front().error == message);
}

TEST_CASE("a scan whose credentials are refused fails before creating any snapshot") {
  graphsim::sim_options sim_options;
  sim_options.users = 60;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim, scanner::license_details_mode::fetch);
  options.creds.secret = "wrong";
  auto const failed = scanner::run_scan(db, options);
  REQUIRE_FALSE(failed.has_value());
  auto const scans = db.scans();
  REQUIRE_OK(scans);
  CHECK(scans->empty());
}
