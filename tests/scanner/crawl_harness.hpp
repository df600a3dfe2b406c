// tests/scanner/crawl_harness.hpp — run scanner::run_scan against the emulator started in-process, and read back
// what the emulator serves and what the scan stored, for comparison.
#pragma once

#include "graphsim/server.hpp"
#include "scanner/crawl.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>

namespace scanner_test {

// (user id, sku id) pairs, lower-case.
using license_set = std::set<std::pair<std::string, std::string>>;
// (user, sku, plan id, enabled).
using plan_set = std::set<std::tuple<std::string, std::string, std::string, bool>>;

// A running emulator; throws (failing the test) when it cannot start.
std::unique_ptr<graphsim::background_server> start_sim(const graphsim::sim_options& options);

// A fresh snapshot database "scan.db" in dir; fails the test when it cannot be opened.
storage::database open_db(const test_support::temp_dir& dir);

// Options that point a scan at the emulator, with its credentials; progress off.
scanner::scan_options options_for(const graphsim::background_server& sim,
                                  scanner::license_details_mode mode = scanner::license_details_mode::derived);

// What the emulator's tenant of (users, seed) serves, read from the tenant model directly (not over HTTP).
struct served_tenant {
  std::set<std::string> users;
  license_set licenses;
};
served_tenant served(std::uint64_t users, std::uint64_t seed);

// What a snapshot stored.
struct stored_snapshot {
  std::int64_t user_rows = 0;  // rows streamed (a duplicate would show as rows > distinct users)
  std::set<std::string> users;
  license_set licenses;
  plan_set plans;
  std::set<std::string> skus_in_subscribed_skus;
};
stored_snapshot stored(storage::database& db, std::int64_t scan_id);

// The plan rows a fetch scan stores from an emulator started with options but without throttling (a reference for
// scans under a budget), paced far above any budget so that it takes no longer than it must.
plan_set unthrottled_fetched_plans(graphsim::sim_options options);

// Graph requests the emulator answered (token requests and /_sim excluded; a $batch counts once per envelope).
std::int64_t graph_requests(const graphsim::background_server& sim);
// Requests to one endpoint label, e.g. "GET /v1.0/users", whatever their status.
std::int64_t endpoint_requests(const graphsim::background_server& sim, const std::string& endpoint);

// How a scan used the emulator's RU budget: requests costed as Graph costs them (every $batch item on its own,
// the envelopes not at all), how many of them were answered 429 by the RU bucket, and the RU charged.
struct budget_use {
  std::int64_t requests = 0;
  std::int64_t throttled = 0;
  std::int64_t ru_charged = 0;
};
budget_use budget_used(const graphsim::background_server& sim);

}  // namespace scanner_test
