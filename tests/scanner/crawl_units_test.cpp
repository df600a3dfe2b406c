#include "scanner/users_chain.hpp"

#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/progress.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace std::chrono_literals;

TEST_CASE("the users chain starts with the stored properties, 999 per page, and $count only when asked") {
  CHECK(scanner::first_users_url(false) ==
        "/v1.0/users?$select=id,userPrincipalName,displayName,mail,userType,accountEnabled,usageLocation,"
        "onPremisesSyncEnabled,department,createdDateTime,creationType,assignedLicenses,licenseAssignmentStates"
        "&$top=999");
  CHECK(scanner::first_users_url(true).ends_with("&$top=999&$count=true"));
}

TEST_CASE("an expired or refused page link is recognised from the client's error line") {
  CHECK(scanner::link_unusable(base::runtime_error(
      "GET /v1.0/users?$skiptoken=x failed: 400 Directory_ExpiredPageToken: The specified page token value has "
      "expired (request-id r)")));
  CHECK(scanner::link_unusable(base::runtime_error("GET /v1.0/users?$skiptoken=x failed: 410 Gone")));
  CHECK_FALSE(scanner::link_unusable(base::runtime_error("GET /v1.0/users failed: 503 after 6 attempts")));
  CHECK_FALSE(scanner::link_unusable(base::runtime_error("GET /v1.0/users failed: connection refused")));
}

TEST_CASE("the progress line shows counts, and a percentage and ETA once the total is known") {
  scanner::progress_counts c;
  c.users = 12000;
  c.pages = 13;
  c.requests = 16;
  c.throttled = 2;
  CHECK(scanner::format_progress(c, 3s) == "users 12,000 · pages 13 · requests 16 · 429s 2 · 3.0 s");
  c.total_users = 48000;
  CHECK(scanner::format_progress(c, 3s) ==
        "users 12,000 / 48,000 (25%) · pages 13 · requests 16 · 429s 2 · 3.0 s · ETA 9 s");
}

TEST_CASE("a scan with progress forced on asks for the user count and still stores every user once") {
  graphsim::sim_options sim_options;
  sim_options.users = 1200;
  auto sim = scanner_test::start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "scan.db").string());
  REQUIRE_OK(db);
  auto options = scanner_test::options_for(*sim);
  options.progress = scanner::progress_mode::always;
  auto const summary = scanner::run_scan(*db, options);
  REQUIRE_OK(summary);
  CHECK(summary->users == 1200);
  CHECK(summary->pages == 2);
  CHECK(scanner_test::stored(*db, summary->scan_id).user_rows == 1200);
}
