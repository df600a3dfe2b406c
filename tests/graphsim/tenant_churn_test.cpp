#include "graphsim/detail/tenant.hpp"
#include "graphsim/server.hpp"
#include "graphsim/server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

// (user id, sku id, origin) of every row of the tenant's truth CSV, header skipped.
using key = std::tuple<std::string, std::string, std::string>;

std::set<key> truth_keys(const graphsim::tenant& t) {
  std::ostringstream out;
  t.write_truth_csv(out);
  auto const rows = test_support::parse_csv(out.str());
  REQUIRE_FALSE(rows.empty());
  std::set<key> keys;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == 23);
    keys.emplace(rows[r][1], rows[r][7], rows[r][10]);
  }
  return keys;
}

std::set<key> minus(const std::set<key>& a, const std::set<key>& b) {
  std::set<key> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

std::set<std::string> origins_of(const std::set<key>& keys) {
  std::set<std::string> origins;
  for (auto const& k : keys) origins.insert(std::get<2>(k));
  return origins;
}

}  // namespace

TEST_CASE("a night with churn 0 changes nothing in the tenant or its truth") {
  graphsim::tenant t({.users = 300, .seed = 4});
  auto const before = truth_keys(t);
  auto const night = t.advance_night(0.0);
  CHECK(night.night == 1);
  CHECK(night.changed + night.created + night.deleted == 0);
  CHECK(t.user_count() == 300);
  CHECK(truth_keys(t) == before);
}

TEST_CASE("the same seed and nights give the same tenant on every run, and nights differ") {
  graphsim::tenant a({.users = 500, .seed = 7});
  graphsim::tenant b({.users = 500, .seed = 7});
  auto const night_zero = truth_keys(a);
  for (int n = 0; n < 3; ++n) {
    auto const ra = a.advance_night(0.05);
    auto const rb = b.advance_night(0.05);
    CHECK(ra.changed == rb.changed);
    CHECK(ra.created == rb.created);
    CHECK(ra.deleted == rb.deleted);
  }
  CHECK(a.night() == 3);
  CHECK(truth_keys(a) == truth_keys(b));
  CHECK(truth_keys(a) != night_zero);
}

TEST_CASE("after nights of churn the truth names only present users holding the SKU, new users included") {
  graphsim::tenant t({.users = 400, .seed = 2});
  std::uint64_t created = 0, deleted = 0;
  for (int n = 0; n < 4; ++n) {
    auto const night = t.advance_night(0.05);
    created += night.created;
    deleted += night.deleted;
  }
  REQUIRE(created > 0);
  REQUIRE(deleted > 0);
  CHECK(t.user_count() == 400 + created - deleted);
  CHECK(t.index_end() == 400 + created);

  std::set<std::string> truth_users;
  for (auto const& [user, sku, origin] : truth_keys(t)) {
    truth_users.insert(user);
    auto const index = t.find_user(user);
    REQUIRE(index.has_value());
    auto const skus = t.sku_ids(*index);
    CHECK(std::find(skus.begin(), skus.end(), sku) != skus.end());
  }
  // Every deleted user is gone from the listing's lookups and from the truth.
  auto const removed = t.removed_user_ids();
  for (auto const& id : removed) {
    CHECK_FALSE(truth_users.contains(id));
    CHECK_FALSE(t.find_user(id).has_value());
  }
  CHECK(removed.size() == 3 + deleted);  // three deleted before the tenant was served, then the nights'
  // Users created at night are served and classified like any other.
  bool new_user_in_truth = false;
  for (std::uint64_t i = 400; i < t.index_end(); ++i)
    if (t.exists(i) && truth_users.contains(t.object_id(i))) new_user_in_truth = true;
  CHECK(new_user_in_truth);
}

TEST_CASE("nights start and end trials, bring sign-ups and change group assignments, and the truth follows") {
  graphsim::tenant t({.users = 1000, .seed = 5});
  std::set<std::string> appeared, went;
  auto previous = truth_keys(t);
  for (int n = 0; n < 5; ++n) {
    t.advance_night(0.05);
    auto const now = truth_keys(t);
    for (auto const& o : origins_of(minus(now, previous))) appeared.insert(o);
    for (auto const& o : origins_of(minus(previous, now))) went.insert(o);
    previous = now;
  }
  CHECK(appeared.contains("self_service_trial"));
  CHECK(went.contains("self_service_trial"));
  CHECK(appeared.contains("self_service_signup"));
  CHECK(went.contains("self_service_signup"));
  CHECK(appeared.contains("group_inherited"));
  CHECK(went.contains("group_inherited"));
}

TEST_CASE("a clean tenant stays without findings through nights of churn") {
  graphsim::tenant t({.users = 300, .seed = 1, .clean = true});
  auto const night = t.advance_night(0.1);
  CHECK(night.changed > 0);
  CHECK(truth_keys(t).empty());
}

TEST_CASE("POST /_sim/advance moves the served tenant one night and writes the truth again") {
  test_support::temp_dir dir;
  std::filesystem::path const truth = dir / "truth.csv";
  auto options = server_test::small_tenant(200);
  options.truth_path = truth.string();
  options.churn = 0.05;
  auto server = server_test::start(options);
  auto read_truth = [&] {
    std::ifstream in(truth, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string const night_zero = read_truth();
  server_test::client c(server->url());

  auto const get = c.send("GET", "/_sim/advance");
  CHECK(get.status == 405);
  CHECK(c.send("POST", "/_sim/advance?churn=2").status == 400);

  auto const first = c.send("POST", "/_sim/advance");
  REQUIRE(first.status == 200);
  auto const doc = server_test::json(first.body);
  REQUIRE(!doc.HasParseError());
  CHECK(doc["night"].GetUint64() == 1);
  CHECK(doc["changed"].GetUint64() + doc["created"].GetUint64() + doc["deleted"].GetUint64() > 0);
  std::string const night_one = read_truth();
  CHECK(night_one != night_zero);

  // The truth the server wrote is the truth of a tenant advanced the same way in-process.
  graphsim::tenant same({.users = 200, .seed = options.seed});
  same.advance_night(0.05);
  std::ostringstream expected;
  same.write_truth_csv(expected);
  CHECK(night_one == expected.str());

  auto const quiet = c.send("POST", "/_sim/advance?churn=0");
  REQUIRE(quiet.status == 200);
  CHECK(server_test::json(quiet.body)["night"].GetUint64() == 2);
  CHECK(read_truth() == night_one);
}

TEST_CASE("nights of churn flip a door now and then, the same doors on every run, and never on a quiet night") {
  graphsim::tenant a({.users = 300, .seed = 7}), b({.users = 300, .seed = 7});
  std::vector<std::string> flips_a, flips_b;
  for (int n = 0; n < 60; ++n) {
    for (auto const& d : a.advance_night(0.02).doors_flipped) flips_a.push_back(std::to_string(n) + " " + d);
    for (auto const& d : b.advance_night(0.02).doors_flipped) flips_b.push_back(std::to_string(n) + " " + d);
  }
  CHECK(flips_a == flips_b);
  // 3 % per door and night: about 7 flips in 60 nights of four doors; few, but not none.
  CHECK(flips_a.size() >= 1);
  CHECK(flips_a.size() <= 20);
  auto const doors = a.doors();
  CHECK(a.advance_night(0.0).doors_flipped.empty());
  CHECK(a.doors().trials == doors.trials);
  CHECK(a.doors().signup_email_subscriptions == doors.signup_email_subscriptions);
}

TEST_CASE("while the trials and sign-up doors are closed no existing user starts a trial or signs up") {
  graphsim::sim_doors closed;
  closed.trials = false;
  closed.signup_email_subscriptions = false;
  graphsim::tenant t({.users = 1000, .seed = 5, .doors = closed});
  auto previous = truth_keys(t);
  int closed_nights = 0;
  for (int n = 0; n < 5; ++n) {
    // Users created tonight arrive with generated licenses, as the tenant's first users did: only the users
    // already there are held to the doors.
    std::set<std::string> existing;
    for (std::uint64_t i = 0; i < t.index_end(); ++i)
      if (t.exists(i)) existing.insert(t.object_id(i));
    t.advance_night(0.05);
    auto const now = truth_keys(t);
    std::set<key> appeared_keys;
    for (auto const& k : minus(now, previous))
      if (existing.contains(std::get<0>(k))) appeared_keys.insert(k);
    auto const appeared = origins_of(appeared_keys);
    if (!t.doors().trials) CHECK_FALSE(appeared.contains("self_service_trial"));
    if (!t.doors().signup_email_subscriptions) CHECK_FALSE(appeared.contains("self_service_signup"));
    closed_nights += !t.doors().trials && !t.doors().signup_email_subscriptions ? 1 : 0;
    bool const moved = !appeared.empty() || !minus(previous, now).empty();  // the rest of the tenant moves
    CHECK(moved);
    previous = now;
  }
  CHECK(closed_nights > 0);
}
