// Sharded listings against the emulator: complete, equal to the single chain, and falling back to it when the
// shards cannot be proven complete.
#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace scanner_test;

namespace {

struct sharded_outcome {
  scanner::scan_summary summary;
  stored_snapshot rows;
  std::int64_t users_requests = 0;
};

sharded_outcome scan_with(graphsim::sim_options const& o, scanner::shards_setting shards) {
  auto sim = start_sim(o);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim);
  options.shards = shards;
  auto const summary = scanner::run_scan(db, options);
  REQUIRE_OK(summary);
  return {*summary, stored(db, summary->scan_id), endpoint_requests(*sim, "GET /v1.0/users")};
}

graphsim::sim_options tenant_of(std::uint64_t users) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = 5;
  return o;
}

}  // namespace

TEST_CASE("a sharded listing stores every user and license once, as the tenant serves them") {
  auto const got = scan_with(tenant_of(20'000), {false, 6});
  auto const truth = served(20'000, 5);
  CHECK(got.rows.user_rows == 20'000);
  CHECK(got.rows.users == truth.users);
  CHECK(got.rows.licenses == truth.licenses);
  CHECK(got.summary.users == 20'000);
  // One count, 44 first pages, and the rest of the pages: at most two requests a shard above the floor.
  CHECK(got.users_requests <= 1 + (20'000 + 998) / 999 + 2 * 44);
  CHECK(got.users_requests >= 1 + 44);
}

TEST_CASE("shards too big for one chain are listed as longer prefixes, and every user is still stored once") {
  // 40,000 users over 64 chains: 625 a chain, and the biggest first letters hold several times more.
  auto const got = scan_with(tenant_of(40'000), {false, 64});
  auto const truth = served(40'000, 5);
  CHECK(got.summary.shards_split > 0);
  CHECK(got.rows.user_rows == 40'000);
  CHECK(got.rows.users == truth.users);
  CHECK(got.rows.licenses == truth.licenses);
  CHECK(got.summary.users == 40'000);
  // A split shard costs its dropped first page; each longer prefix one first page and one partial page at most.
  auto const shards = 44 + got.summary.shards_split * 45;
  CHECK(got.users_requests <= 1 + (40'000 + 998) / 999 + 2 * shards);
}

TEST_CASE("auto leaves a tenant of a few pages to the single chain") {
  auto const got = scan_with(tenant_of(2'997), {true, 0});
  CHECK(got.rows.user_rows == 2'997);
  // The count, then three pages of one chain.
  CHECK(got.users_requests == 1 + 3);
}

TEST_CASE("a directory count that lags the shards' own counts is no reason to list everyone again") {
  auto o = tenant_of(8'000);
  o.count_lag = 1;  // the count of all users is one behind: each shard still listed what it counted
  auto const got = scan_with(o, {false, 4});
  auto const truth = served(8'000, 5);
  CHECK(got.rows.user_rows == 8'000);
  CHECK(got.rows.users == truth.users);
  CHECK(got.rows.licenses == truth.licenses);
  CHECK(got.summary.users == 8'000);
  CHECK(got.users_requests <= 1 + 44 + (8'000 + 998) / 999 + 44);  // the shards only, no single chain after them
}

TEST_CASE("a Graph that refuses $count gets the single chain, without a failed scan") {
  auto o = tenant_of(8'000);
  o.advanced_queries = false;
  auto const got = scan_with(o, {true, 0});
  auto const truth = served(8'000, 5);
  CHECK(got.rows.user_rows == 8'000);
  CHECK(got.rows.users == truth.users);
  CHECK(got.rows.licenses == truth.licenses);
  CHECK(got.users_requests == 1 + (8'000 + 998) / 999);  // the refused count, then the chain
}
