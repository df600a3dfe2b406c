// scanner/shard_plan.hpp — splitting the users listing into disjoint shards by the first character of the user
// principal name (pure): the partition, how many chains to page at once, the shards' URLs and the resume cursor
// that records every shard's progress in one string.
#pragma once

#include "base/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// `--shards N|auto|off`: chains is the number of shards paged at once; 0 = off (one @odata.nextLink chain).
struct shards_setting {
  bool automatic = true;
  unsigned chains = 0;
};

// Shards paged at once by `auto` (and by a resumed sharded scan under --shards off): enough to hide the round
// trip of a page behind the pages of the others.
inline constexpr unsigned auto_shard_chains = 16;
// The most shards paged at once: more would only queue behind the connection pool and Graph's per-app limits.
inline constexpr unsigned max_shard_chains = 64;

// Parses "auto", "off" or a number 1..64 (1 = the shards one after the other); a usage error otherwise.
base::result<shards_setting> parse_shards_setting(std::string_view text);

// The characters a user principal name may start with (Entra allows A–Z, a–z, 0–9 and ' - _ ! # ^ ~ in its
// local part, and not a leading '.'), case-folded: one shard each, together the whole directory.
const std::vector<std::string>& upn_first_characters();

// Shards paged at once for a tenant of total_users: 0 (the single chain) when sharding is off or the tenant is
// too small for it to pay (the extra first pages would cost more round trips than they save).
unsigned shard_chains_for(const shards_setting& setting, std::int64_t total_users);

// The request that counts the directory's users (one user on the page, @odata.count = all of them).
std::string users_count_url();

// The first page of the shard of users whose principal name starts with prefix (case-insensitive, as Graph's
// startswith), with $count=true so the shard's size is known. With a bound, only those of them whose name is
// `le` bound, or with above those that are `not(le)` it: two halves that partition the shard whatever Graph's
// collation (the user resource documents le and not on userPrincipalName, in advanced queries).
std::string shard_first_url(std::string_view prefix, const std::optional<std::string>& bound = std::nullopt,
                            bool above = false);

// Whether a shard that counts count users is worth halving: it holds more than one chain's even share of the
// users_left still to list (and more than two pages), so it alone would keep the listing going after the
// others are done.
bool worth_splitting(std::int64_t count, std::int64_t users_left, unsigned chains);

// The bound that halves a shard as a sample of its users (their principal names, from its first page) shows it:
// the lower median, lower-cased; nullopt when the sample is too small or the name could not be a bound (it
// does not start with the prefix, or holds a space or control character, which the cursor cannot store).
std::optional<std::string> split_bound(std::vector<std::string> sample, std::string_view prefix);

// One shard's progress: where its chain is, how many users it said it holds and how many were stored.
struct shard_progress {
  // split: replaced by its two halves (it lists nothing itself).
  enum class phase { pending, running, done, split };
  std::string prefix;
  std::optional<std::string> bound;    // a half of a split shard: names le bound, or above it
  bool above = false;
  phase at = phase::pending;
  std::string next_link;               // running: the link after the last stored page
  std::optional<std::int64_t> count;   // @odata.count of its first page
  std::int64_t stored = 0;             // users stored from this shard

  // Its name in logs and in the cursor: "j", "j le jo.x@contoso.com" or "j gt jo.x@contoso.com".
  std::string name() const;
  // The first page of its users.
  std::string first_url() const { return shard_first_url(prefix, bound, above); }
  // Done, or split into halves.
  bool finished() const { return at == phase::done || at == phase::split; }
};

// Every shard of a sharded listing: what a snapshot stores as its resume cursor (scans.next_link).
struct shard_cursor {
  std::vector<shard_progress> shards;

  // A cursor with every shard of the partition pending.
  static shard_cursor fresh();
  // True if text is a stored sharded cursor (a plain @odata.nextLink is not).
  static bool is_sharded(std::string_view text);
  // Reads a stored cursor; an error when it is not one this version wrote.
  static base::result<shard_cursor> decode(std::string_view text);
  // The text to store: empty once every shard is done (the listing is complete, as for a single chain).
  std::string encode() const;

  // True when every shard is done.
  bool done() const;
  // Replaces the whole shard at index (one no page of which is stored) by its halves at bound: it turns split,
  // and the halves are inserted, pending, at position at (> index), the next shards to be taken.
  void split(std::size_t index, const std::string& bound, std::size_t at);
  // Why the shards do not add up to total_users (nullopt when each shard stored what it counted and the counts
  // sum to total_users): the proof that the partition covered the whole directory.
  std::optional<std::string> incomplete(std::int64_t total_users) const;
};

}  // namespace scanner
