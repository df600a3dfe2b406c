// The users listing against Graph as documented and as real tenants (and hostile servers) differ from it: every
// quirk of the emulator (docs/graphsim.md, "Quirks") either lists every user once or stops with a clear error.
// The degradation rules are docs/scanning.md.
#include "crawl_harness.hpp"
#include "fake_graph.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <atomic>

using namespace scanner_test;

namespace {

struct quirk_outcome {
  base::result<scanner::scan_summary> summary = base::runtime_error("not run");
  stored_snapshot rows;
  std::int64_t users_requests = 0;
  std::int64_t requests = 0;
};

quirk_outcome scan_with(graphsim::sim_options const& o, scanner::shards_setting shards,
                        scanner::license_details_mode mode = scanner::license_details_mode::derived) {
  auto sim = start_sim(o);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim, mode);
  options.shards = shards;
  quirk_outcome out;
  out.summary = scanner::run_scan(db, options);
  if (out.summary) out.rows = stored(db, out.summary->scan_id);
  out.users_requests = endpoint_requests(*sim, "GET /v1.0/users");
  out.requests = graph_requests(*sim);
  return out;
}

graphsim::sim_options tenant_of(std::uint64_t users, std::uint64_t seed = 5) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = seed;
  return o;
}

// Every user and license the tenant serves was stored, each user once.
void check_every_user_once(const quirk_outcome& got, std::uint64_t users, std::uint64_t seed = 5) {
  REQUIRE_OK(got.summary);
  auto const truth = served(users, seed);
  CHECK(got.rows.user_rows == static_cast<std::int64_t>(users));
  CHECK(got.rows.users == truth.users);
  CHECK(got.rows.licenses == truth.licenses);
  CHECK(got.summary->users == static_cast<std::int64_t>(users));
}

constexpr scanner::shards_setting automatic{true, 0};

}  // namespace

TEST_CASE("no @odata.count (Graph ignores $count, as in B2C): the users are listed in one chain at once") {
  auto o = tenant_of(8'000);
  o.quirks.no_count = true;
  auto const got = scan_with(o, automatic);
  check_every_user_once(got, 8'000);
  // The count probe, then one chain: no shard was tried.
  CHECK(got.users_requests == 1 + (8'000 + 998) / 999);
}

TEST_CASE("a 300-user tenant without @odata.count scans with --shards auto") {
  auto o = tenant_of(300);
  o.quirks.no_count = true;
  check_every_user_once(scan_with(o, automatic), 300);
}

TEST_CASE("without range filters the big shards are split by longer prefixes and never fall back to one chain") {
  auto o = tenant_of(40'000);
  o.quirks.no_range_filter = true;
  auto const got = scan_with(o, {false, 64});
  check_every_user_once(got, 40'000);
  CHECK(got.summary->shards_split > 0);
  auto const shards = 44 + got.summary->shards_split * 45;
  CHECK(got.users_requests <= 1 + (40'000 + 998) / 999 + 2 * shards);
}

TEST_CASE("skewed names (employee numbers, leading symbols, guests) are split as deep as they need, each user once") {
  auto o = tenant_of(30'000, 9);
  o.quirks.no_range_filter = true;
  o.quirks.skewed_upns = true;
  auto const got = scan_with(o, automatic);
  check_every_user_once(got, 30'000, 9);
  CHECK(got.summary->shards_split > 0);
  auto const shards = 44 + got.summary->shards_split * 45;
  CHECK(got.users_requests <= 1 + (30'000 + 998) / 999 + 2 * shards);
}

TEST_CASE("an expired page token mid-chain restarts that chain, not the scan, and every user is stored once") {
  SUBCASE("the single chain") {
    auto o = tenant_of(2'500);
    o.quirks.expired_page_token_after = 2;  // the third page's link is refused once per chain
    auto const got = scan_with(o, {false, 0});
    // A chain of three pages never gets past its second link: three listings, then a clear failure.
    REQUIRE_FALSE(got.summary.has_value());
    CHECK(got.summary.error().message.find("refused the users listing's links in each of 3 listings") !=
          std::string::npos);
  }
  SUBCASE("shards: a long shard is split into shorter ones that outlive their links") {
    auto o = tenant_of(20'000);
    o.quirks.expired_page_token_after = 2;
    auto const got = scan_with(o, {false, 4});
    check_every_user_once(got, 20'000);
  }
}

TEST_CASE("a shard that lists fewer users than it counted is listed again alone") {
  auto o = tenant_of(8'000);
  o.quirks.users_deleted_during_scan = 25;  // after the first page, 25 users are gone: some shards count stale
  auto const got = scan_with(o, {false, 4});
  REQUIRE_OK(got.summary);
  // The users still there are all stored once; none of the deleted ones is stored twice.
  CHECK(got.rows.user_rows == static_cast<std::int64_t>(got.rows.users.size()));
  CHECK(got.rows.users.size() >= 8'000 - 25);
  CHECK(got.rows.users.size() <= 8'000);
}

TEST_CASE("fetch mode falls back to derived when Graph refuses licenseDetails, with the same rows") {
  auto o = tenant_of(1'200);
  o.quirks.license_details_forbidden = true;
  auto const got = scan_with(o, automatic, scanner::license_details_mode::fetch);
  check_every_user_once(got, 1'200);
  CHECK(got.summary->license_details_fallback);
  auto const reference = scan_with(tenant_of(1'200), automatic, scanner::license_details_mode::derived);
  REQUIRE_OK(reference.summary);
  CHECK(got.rows.plans == reference.rows.plans);
}

TEST_CASE("fetch mode skips and counts the users deleted between the listing and their licenseDetails") {
  auto o = tenant_of(2'000);
  o.quirks.users_deleted_during_scan = 30;
  auto const got = scan_with(o, {false, 0}, scanner::license_details_mode::fetch);
  REQUIRE_OK(got.summary);
  CHECK(got.rows.user_rows == static_cast<std::int64_t>(got.rows.users.size()));
  CHECK(got.summary->users_missing <= 30);
}

TEST_CASE("a nextLink that points back to an earlier page stops the scan with exit 1 instead of looping") {
  auto o = tenant_of(30'000);  // shards of several pages under 4 chains, so that a shard's chain meets the loop
  o.quirks.nextlink_loop = 3;
  for (auto shards : {scanner::shards_setting{false, 0}, scanner::shards_setting{false, 4}}) {
    CAPTURE(shards.chains);
    auto const got = scan_with(o, shards);
    REQUIRE_FALSE(got.summary.has_value());
    CHECK(got.summary.error().code == base::exit_code::runtime);
    CHECK(got.summary.error().message.find("pages in a circle") != std::string::npos);
    CHECK(got.requests < 100);
  }
}

TEST_CASE("a user id listed on two pages is stored once") {
  auto o = tenant_of(30'000);  // shards of several pages under 4 chains
  o.quirks.duplicate_users = 2;
  for (auto shards : {scanner::shards_setting{false, 0}, scanner::shards_setting{false, 4}}) {
    CAPTURE(shards.chains);
    auto const got = scan_with(o, shards);
    check_every_user_once(got, 30'000);
    CHECK(got.summary->duplicate_users > 0);
  }
}

TEST_CASE("an empty page with a nextLink is followed, not taken for the end") {
  auto o = tenant_of(3'000);
  o.quirks.empty_page = 2;
  check_every_user_once(scan_with(o, {false, 0}), 3'000);
}

TEST_CASE("a chain that goes on far past the users it counted is stopped, not followed to the end of the disk") {
  // A server that counts 5 users and then pages fresh users under fresh links without end.
  std::atomic<int> page{0};
  std::string root;  // set once the server listens, before any request
  test_fake::server graph([&](const test_fake::request& r) -> test_fake::reply {
    if (r.target.find("/oauth2/v2.0/token") != std::string::npos)
      return {200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"t"})"};
    if (r.target.starts_with("/v1.0/organization"))
      return {200, R"({"value":[{"id":"11111111-1111-1111-1111-111111111111","displayName":"Endless"}]})"};
    if (r.target.starts_with("/v1.0/subscribedSkus") || r.target.starts_with("/v1.0/directory/subscriptions"))
      return {200, R"({"value":[]})"};
    if (r.target.find("$count=true") != std::string::npos)
      return {200, R"({"@odata.count":5,"value":[{"id":"00000000-0000-0000-0000-000000000000"}]})"};
    int const n = ++page;
    std::string users;
    for (int i = 0; i < 999; ++i)
      users += fmt::format(R"({}{{"id":"{:08x}-0000-4000-8000-{:012x}","userPrincipalName":"u{}@x.com"}})",
                           i == 0 ? "" : ",", n, i, n * 1000 + i);
    return {200, fmt::format(R"({{"value":[{}],"@odata.nextLink":"{}/v1.0/users?$skiptoken=p{}"}})", users, root, n)};
  });
  root = graph.url();
  scanner::scan_options options;
  options.connection.graph_endpoint = graph.url();
  options.connection.authority_host = graph.url();
  options.connection.backoff_base = std::chrono::milliseconds(1);
  options.creds.tenant_id = "11111111-1111-1111-1111-111111111111";
  options.creds.client_id = "22222222-2222-2222-2222-222222222222";
  options.creds.secret = "s";
  options.progress = scanner::progress_mode::never;
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto const got = scanner::run_scan(db, options);
  REQUIRE_FALSE(got.has_value());
  CHECK(got.error().message.find("goes on past") != std::string::npos);
  CHECK(page.load() <= 3);
}
