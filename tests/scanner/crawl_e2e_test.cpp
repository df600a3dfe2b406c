#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace scanner_test;

TEST_CASE("a derived scan of 3,000 users stores every user once and every license the emulator serves") {
  graphsim::sim_options sim_options;
  sim_options.users = 3000;
  sim_options.seed = 7;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);

  auto const summary = scanner::run_scan(db, options_for(*sim));
  REQUIRE_OK(summary);

  auto const truth = served(3000, 7);
  auto const got = stored(db, summary->scan_id);
  CHECK(got.user_rows == 3000);
  CHECK(got.users == truth.users);
  CHECK(got.licenses == truth.licenses);
  CHECK_FALSE(got.plans.empty());

  CHECK(summary->users == 3000);
  CHECK(summary->pages == 4);  // 999 + 999 + 999 + 3
  CHECK(summary->tenant_id == sim->tenant_id());
  CHECK(summary->skus > 0);
  CHECK(summary->licensed_users > 0);
  CHECK_FALSE(summary->resumed);
  auto const latest = db.latest_complete_scan(sim->tenant_id());
  REQUIRE_OK(latest);
  REQUIRE(latest->has_value());
  CHECK((*latest)->scan_id == summary->scan_id);
  CHECK((*latest)->next_link.empty());
}

TEST_CASE("a derived scan of N users issues at most ceil(N/999) + 8 Graph requests") {
  for (std::uint64_t const n : {0ull, 1ull, 999ull, 2500ull}) {
    CAPTURE(n);
    graphsim::sim_options sim_options;
    sim_options.users = n;
    auto sim = start_sim(sim_options);
    test_support::temp_dir dir;
    auto db = open_db(dir);
    auto const summary = scanner::run_scan(db, options_for(*sim));
    REQUIRE_OK(summary);
    auto const requests = graph_requests(*sim);
    MESSAGE("N=" << n << ": " << requests << " Graph requests (client counted " << summary->requests << ")");
    CHECK(requests <= static_cast<std::int64_t>((n + 998) / 999) + 8);
    CHECK(summary->requests == requests);
    CHECK(summary->users == static_cast<std::int64_t>(n));
  }
}

TEST_CASE("fetch and derived scans store identical (user, SKU, plan, enabled) rows for the SKUs the tenant lists") {
  graphsim::sim_options sim_options;
  sim_options.users = 400;
  sim_options.seed = 3;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);

  auto const derived = scanner::run_scan(db, options_for(*sim, scanner::license_details_mode::derived));
  REQUIRE_OK(derived);
  auto fetch_options = options_for(*sim, scanner::license_details_mode::fetch);
  fetch_options.concurrency = 4;
  auto const fetched = scanner::run_scan(db, fetch_options);
  REQUIRE_OK(fetched);

  auto const a = stored(db, derived->scan_id);
  auto const b = stored(db, fetched->scan_id);
  REQUIRE_FALSE(a.plans.empty());
  CHECK(a.licenses == b.licenses);
  // Derived rows need the SKU's plans from subscribedSkus; licenseDetails also covers SKUs the tenant does not
  // list, so those are the only rows fetch may add.
  scanner_test::plan_set fetched_listed, fetched_unlisted;
  for (auto const& row : b.plans)
    (b.skus_in_subscribed_skus.count(std::get<1>(row)) ? fetched_listed : fetched_unlisted).insert(row);
  CHECK(a.plans == fetched_listed);
  for (auto const& row : a.plans) CHECK(a.skus_in_subscribed_skus.count(std::get<1>(row)) == 1);
  MESSAGE("plan rows: derived " << a.plans.size() << ", fetched " << b.plans.size() << " (" << fetched_unlisted.size()
                                << " for SKUs missing from subscribedSkus); " << fetched->requests
                                << " requests in fetch mode");
  // 20 users per $batch: far fewer requests than licensed users.
  CHECK(fetched->requests < fetched->licensed_users);
}

TEST_CASE("a scan over TLS trusts the emulator's certificate through the CA file") {
  graphsim::sim_options sim_options;
  sim_options.users = 50;
  sim_options.tls = true;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto const summary = scanner::run_scan(db, options_for(*sim));
  REQUIRE_OK(summary);
  CHECK(summary->users == 50);
}

TEST_CASE("snapshots beyond keep are pruned after a successful scan") {
  graphsim::sim_options sim_options;
  sim_options.users = 10;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim);
  options.keep = 2;
  for (int i = 0; i < 3; ++i) REQUIRE_OK(scanner::run_scan(db, options));
  auto const scans = db.scans(sim->tenant_id());
  REQUIRE_OK(scans);
  CHECK(scans->size() == 2);
}
