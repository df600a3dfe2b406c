#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/detail/progress.hpp"
#include "scanner/detail/users_chain.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace std::chrono_literals;

TEST_CASE("the single users chain asks the stored properties, 999 per page, and no advanced query") {
  CHECK(scanner::first_users_url() ==
        "/v1.0/users?$select=id,userPrincipalName,displayName,mail,userType,accountEnabled,usageLocation,"
        "onPremisesSyncEnabled,department,createdDateTime,creationType,assignedLicenses,licenseAssignmentStates"
        "&$top=999");
}

TEST_CASE("an expired or refused page link is recognised from the status Graph answered, not the wording") {
  CHECK(scanner::link_unusable(base::service_error("anything", {400, "Directory_ExpiredPageToken", "r"})));
  CHECK(scanner::link_unusable(base::service_error("anything", {410, "", ""})));
  CHECK_FALSE(scanner::link_unusable(base::service_error("GET x failed: 400 ExpiredPageToken", {503, "", ""})));
  // The old test read the text: a line that merely mentions a 400 is not one.
  CHECK_FALSE(scanner::link_unusable(base::runtime_error("GET /v1.0/users failed: 400 Directory_ExpiredPageToken")));
  CHECK_FALSE(scanner::answered_bad_request(base::runtime_error("GET /v1.0/users failed: 400")));
  CHECK(scanner::answered_bad_request(base::service_error("refused", {400, "Request_UnsupportedQuery", ""})));
}

TEST_CASE("a chain that counted N users may list up to twice that and a page before it is taken for a loop") {
  CHECK(scanner::most_users_for(0) == 999);
  CHECK(scanner::most_users_for(10'000) == 20'999);
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
