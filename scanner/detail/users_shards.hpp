// scanner/detail/users_shards.hpp — the sharded users listing: one @odata.nextLink chain per first character of the
// user principal name (and longer prefixes for big ones), several paged at once, proven against $count.
//
// A single chain is ~N/999 round trips in a row; shards turn them into parallel ones. Graph's startswith on
// userPrincipalName with $count=true and ConsistencyLevel: eventual gives each shard's size on its first page, so
// the listing can prove it saw the whole directory. A big shard is split into longer prefixes; a shard whose
// listing disagrees with its count is listed again alone; only when the shards together miss users, or Graph
// refuses a shard's filter, does the crawl list the users again in one chain (docs/scanning.md).
#pragma once

#include "base/error.hpp"
#include "scanner/detail/shard_plan.hpp"
#include "scanner/detail/users_chain.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace scanner {

// How a sharded listing ended.
enum class shards_end {
  done,     // every shard listed and stored
  stopped,  // a stop was requested; the stored cursor resumes every shard where it was
  refused,  // Graph refused a shard's filter (400): the single chain must list the users
};

// The directory's user count, when Graph gives one.
struct user_count {
  std::optional<std::int64_t> users;  // nullopt: Graph ignored or refused $count (no advanced queries here)
};

// Counts the directory's users (GET /users?$count=true with ConsistencyLevel: eventual). A 200 without
// @odata.count or a 400 is a count Graph does not give (users nullopt), not a failure; nullopt when stopped.
net::awaitable<base::result<unless_stopped<user_count>>> count_users(graph_client& client, stop_signal& stop);

// Pages the shards of cursor (pending ones from their first page, running ones from their stored link) with at
// most chains of them at once, storing each page with the whole cursor; updates cursor (read it once this returns)
// and totals. The first failure other than a refused filter stops the other chains and is returned: a chain that
// pages in a circle, or a shard whose links Graph refuses in each of its listings.
net::awaitable<base::result<shards_end>> crawl_user_shards(chain_context& ctx, shard_cursor& cursor, unsigned chains,
                                                           chain_totals& totals);

}  // namespace scanner
