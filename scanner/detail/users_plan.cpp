#include "scanner/detail/users_plan.hpp"

namespace scanner {

users_plan plan_users_listing(stored_cursor cursor, const users_count_answer& count, const shards_setting& setting) {
  switch (cursor) {
    case stored_cursor::chain_link:
      return {.kind = users_plan_kind::resume_chain};
    case stored_cursor::shards:
    case stored_cursor::old_shards:
      // The count comes first: without one, not even readable shards could prove the listing.
      if (!count.users) return {.kind = users_plan_kind::one_chain_shards_unprovable};
      if (cursor == stored_cursor::old_shards) return {.kind = users_plan_kind::one_chain_shards_unreadable};
      // A sharded snapshot goes on sharded even under --shards off: its stored pages are sharded already.
      return {.kind = users_plan_kind::resume_shards,
              .chains = setting.chains > 0 ? setting.chains : auto_shard_chains};
    case stored_cursor::none:
      break;
  }
  if (count.users) {
    if (unsigned const chains = shard_chains_for(setting, *count.users); chains > 0)
      return {.kind = users_plan_kind::shards, .chains = chains};
    return {.kind = users_plan_kind::one_chain};
  }
  return {.kind = count.asked ? users_plan_kind::one_chain_uncounted : users_plan_kind::one_chain};
}

after_shards next_after_shards(shards_end ended, const shards_verdict& verdict,
                               const std::optional<users_recount>& recounted) {
  switch (ended) {
    case shards_end::stopped:
      return after_shards::stopped;
    case shards_end::refused:
      return after_shards::relist_refused;
    case shards_end::done:
      break;
  }
  switch (verdict.outcome) {
    case shards_verdict::kind::proven:
      return after_shards::proven;
    case shards_verdict::kind::more_than_counted:
      return after_shards::count_lags;
    case shards_verdict::kind::fewer_than_counted:
      break;
  }
  // The directory's count is eventually consistent: ask once more before listing everyone again.
  if (!recounted) return after_shards::recount;
  if (recounted->users && *recounted->users <= verdict.listed) return after_shards::count_lags;
  return after_shards::relist_unproven;
}

}  // namespace scanner
