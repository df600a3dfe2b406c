#include "scanner/detail/users_plan.hpp"

#include <doctest/doctest.h>

using scanner::after_shards;
using scanner::shards_end;
using scanner::shards_verdict;
using scanner::stored_cursor;
using scanner::users_plan_kind;

namespace {

constexpr scanner::shards_setting automatic{.automatic = true, .chains = 0};
constexpr scanner::shards_setting off{.automatic = false, .chains = 0};
constexpr scanner::shards_setting eight{.automatic = false, .chains = 8};

scanner::users_count_answer counted(std::int64_t users) { return {.asked = true, .users = users}; }
constexpr scanner::users_count_answer not_asked{.asked = false, .users = std::nullopt};
constexpr scanner::users_count_answer no_count{.asked = true, .users = std::nullopt};

shards_verdict verdict(shards_verdict::kind outcome, std::int64_t listed) {
  return {.outcome = outcome, .listed = listed};
}

}  // namespace

TEST_CASE("a stored single-chain link goes on in one chain, whatever the count and the setting") {
  for (auto const& setting : {automatic, off, eight}) {
    CHECK(scanner::plan_users_listing(stored_cursor::chain_link, not_asked, setting).kind ==
          users_plan_kind::resume_chain);
    CHECK(scanner::plan_users_listing(stored_cursor::chain_link, counted(100'000), setting).kind ==
          users_plan_kind::resume_chain);
  }
}

TEST_CASE("a counted tenant of more than four pages is sharded under auto, 16 chains at once") {
  auto const plan = scanner::plan_users_listing(stored_cursor::none, counted(5'000), automatic);
  CHECK(plan.kind == users_plan_kind::shards);
  CHECK(plan.chains == scanner::auto_shard_chains);
}

TEST_CASE("a counted tenant of four pages or fewer is listed in one chain under auto") {
  auto const plan = scanner::plan_users_listing(stored_cursor::none, counted(4 * 999), automatic);
  CHECK(plan.kind == users_plan_kind::one_chain);
  CHECK(plan.chains == 0);
}

TEST_CASE("--shards N shards any counted tenant with N chains, --shards off never does") {
  auto const plan = scanner::plan_users_listing(stored_cursor::none, counted(10), eight);
  CHECK(plan.kind == users_plan_kind::shards);
  CHECK(plan.chains == 8);
  CHECK(scanner::plan_users_listing(stored_cursor::none, counted(1'000'000), off).kind == users_plan_kind::one_chain);
  CHECK(scanner::plan_users_listing(stored_cursor::none, not_asked, off).kind == users_plan_kind::one_chain);
}

TEST_CASE("a count asked for and not given lists one chain, said so, and a count not asked for says nothing") {
  CHECK(scanner::plan_users_listing(stored_cursor::none, no_count, automatic).kind ==
        users_plan_kind::one_chain_uncounted);
  CHECK(scanner::plan_users_listing(stored_cursor::none, no_count, eight).kind == users_plan_kind::one_chain_uncounted);
  CHECK(scanner::plan_users_listing(stored_cursor::none, not_asked, automatic).kind == users_plan_kind::one_chain);
}

TEST_CASE("stored shards go on sharded with a count, even under --shards off (16 chains then)") {
  auto const resumed = scanner::plan_users_listing(stored_cursor::shards, counted(50), off);
  CHECK(resumed.kind == users_plan_kind::resume_shards);
  CHECK(resumed.chains == scanner::auto_shard_chains);
  auto const given = scanner::plan_users_listing(stored_cursor::shards, counted(50), eight);
  CHECK(given.kind == users_plan_kind::resume_shards);
  CHECK(given.chains == 8);
}

TEST_CASE("stored shards without a count cannot be proven: one chain, before the cursor's version is looked at") {
  CHECK(scanner::plan_users_listing(stored_cursor::shards, no_count, automatic).kind ==
        users_plan_kind::one_chain_shards_unprovable);
  CHECK(scanner::plan_users_listing(stored_cursor::old_shards, no_count, automatic).kind ==
        users_plan_kind::one_chain_shards_unprovable);
}

TEST_CASE("stored shards of an older version are listed again in one chain") {
  CHECK(scanner::plan_users_listing(stored_cursor::old_shards, counted(50'000), automatic).kind ==
        users_plan_kind::one_chain_shards_unreadable);
}

TEST_CASE("a stopped sharded listing stops, a refused shard relists the users in one chain") {
  auto const any = verdict(shards_verdict::kind::fewer_than_counted, 3);
  CHECK(scanner::next_after_shards(shards_end::stopped, any, std::nullopt) == after_shards::stopped);
  CHECK(scanner::next_after_shards(shards_end::refused, any, std::nullopt) == after_shards::relist_refused);
}

TEST_CASE("proven shards complete the listing, shards holding more than counted are accepted") {
  CHECK(scanner::next_after_shards(shards_end::done, verdict(shards_verdict::kind::proven, 10), std::nullopt) ==
        after_shards::proven);
  CHECK(scanner::next_after_shards(shards_end::done, verdict(shards_verdict::kind::more_than_counted, 10),
                                   std::nullopt) == after_shards::count_lags);
}

TEST_CASE("shards holding fewer than counted ask the count once more, then accept or relist in one chain") {
  auto const fewer = verdict(shards_verdict::kind::fewer_than_counted, 100);
  CHECK(scanner::next_after_shards(shards_end::done, fewer, std::nullopt) == after_shards::recount);
  CHECK(scanner::next_after_shards(shards_end::done, fewer, scanner::users_recount{100}) == after_shards::count_lags);
  CHECK(scanner::next_after_shards(shards_end::done, fewer, scanner::users_recount{90}) == after_shards::count_lags);
  CHECK(scanner::next_after_shards(shards_end::done, fewer, scanner::users_recount{101}) ==
        after_shards::relist_unproven);
  CHECK(scanner::next_after_shards(shards_end::done, fewer, scanner::users_recount{std::nullopt}) ==
        after_shards::relist_unproven);
}
