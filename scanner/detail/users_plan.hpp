// scanner/detail/users_plan.hpp — which way a scan lists the users (pure, unit-tested): one chain or shards, fresh or
// resumed, and what follows a sharded listing that cannot vouch for every user (docs/scanning.md, "Listing the
// users" and "What proves a listing complete"). The crawl acts on the plan; every choice is made here.
#pragma once

#include "scanner/detail/shard_plan.hpp"
#include "scanner/detail/users_shards.hpp"

#include <cstdint>
#include <optional>

namespace scanner {

// What the snapshot stored as its resume cursor (scans.next_link).
enum class stored_cursor {
  none,        // a new snapshot, or a resumed one that listed nothing yet
  chain_link,  // a single chain's @odata.nextLink
  shards,      // a sharded cursor this version reads
  old_shards,  // a sharded cursor of an older version (shard_cursor::decode refuses it)
};

// The count the listing starts from: not asked (--shards off, or a resumed single chain), asked and not given
// (no advanced queries here), or the directory's user count.
struct users_count_answer {
  bool asked = false;
  std::optional<std::int64_t> users{};
};

// How the users are listed, each plan named with why it was chosen.
enum class users_plan_kind {
  resume_chain,                 // a stored single-chain link goes on where it stopped
  one_chain,                    // from the first page: sharding off, not asked for, or the tenant too small for it
  one_chain_uncounted,          // from the first page: Graph gives no @odata.count, so shards could not be proven
  shards,                       // fresh shards from a counted directory
  resume_shards,                // the stored shards go on where they stopped
  one_chain_shards_unprovable,  // from the first page: stored shards, but Graph no longer counts the users
  one_chain_shards_unreadable,  // from the first page: stored shards written by an older version
};

struct users_plan {
  users_plan_kind kind = users_plan_kind::one_chain;
  unsigned chains = 0;  // shards paged at once (shards and resume_shards only)
};

// The plan for a listing that starts from cursor with count, under the --shards setting.
users_plan plan_users_listing(stored_cursor cursor, const users_count_answer& count, const shards_setting& setting);

// What follows a sharded listing that ended.
enum class after_shards {
  stopped,          // a stop was requested: the stored cursor resumes it
  proven,           // every shard proved itself and the counts add up: the listing is complete
  count_lags,       // the shards hold more than the directory counted, or no fewer than its second count: complete
  recount,          // the shards hold fewer than counted: ask the directory's count once more
  relist_refused,   // Graph refused a shard's filter: list the users again in one chain
  relist_unproven,  // the shards hold fewer than even the second count: list the users again in one chain
};

// The second count of the directory, once asked (users nullopt: Graph gave none that time).
struct users_recount {
  std::optional<std::int64_t> users{};
};

// The step after a sharded listing that ended as ended; verdict is read only when it is done, recounted only after
// a recount was asked for.
after_shards next_after_shards(shards_end ended, const shards_verdict& verdict,
                               const std::optional<users_recount>& recounted);

}  // namespace scanner
