// The exchange observer (scan --capture's hook) against the emulator: every attempt, no credential.
#include "scanner/detail/exchange_observer.hpp"

#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace scanner_test;

TEST_CASE("the observer sees every attempt of a scan, retries and token requests included, and no credential") {
  graphsim::sim_options sim_options;
  sim_options.users = 300;
  sim_options.fault_schedule = "4:500";  // the fourth Graph request fails once, and is retried
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  std::vector<scanner::observed_exchange> seen;
  scanner::exchange_observer observer{[&seen](const scanner::observed_exchange& x) { seen.push_back(x); }};
  auto options = options_for(*sim);
  options.connection.backoff_base = std::chrono::milliseconds(5);
  options.connection.observer = &observer;
  auto const summary = scanner::run_scan(db, options);
  REQUIRE_OK(summary);

  std::int64_t graph = 0, login = 0, failed = 0;
  for (auto const& x : seen) {
    for (auto const& [name, value] : x.request_headers) CHECK(name != "authorization");
    CHECK(x.body.find(sim->client_secret()) == std::string::npos);
    CHECK(x.request_body.find(sim->client_secret()) == std::string::npos);
    if (x.service == scanner::exchange_service::login) {
      ++login;
      CHECK(x.request_body.empty());
      CHECK(x.body.find(R"("access_token":"<removed>")") != std::string::npos);
    } else {
      ++graph;
      if (x.status == 500) ++failed;
      // Every read is v1.0 but the trials door, which Graph serves in beta only (docs/graph.md §15).
      CHECK((x.url.starts_with(sim->url() + "/v1.0/") || x.url == sim->url() + "/beta/admin/appsAndServices"));
    }
  }
  CHECK(login >= 1);
  CHECK(failed == 1);
  CHECK(graph == summary->requests);
}
