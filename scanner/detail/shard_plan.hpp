// scanner/detail/shard_plan.hpp — splitting the users listing into disjoint shards by prefixes of the user principal
// name (pure): the partition by first character, its refinement by longer prefixes for big shards, how many
// chains to page at once, the shards' URLs and the resume cursor that records every shard's progress in one
// string. The rules are in docs/scanning.md ("Sharded listing").
#pragma once

#include "base/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
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

// The characters a user principal name may start with, case-folded: Entra allows A–Z, a–z, 0–9 and
// ' . - _ ! # ^ ~ (a guest's #EXT# name starts with its mail's first character, which is one of them). One shard
// each; a user outside them is caught by the count check (shard_cursor::verdict) and listed by the single chain.
const std::vector<std::string>& upn_first_characters();

// The characters that may follow prefix in a user principal name, case-folded: the first characters plus '@'
// while prefix is in the local part. Empty when prefix has reached the domain (it holds '@'): a name may end
// there, which no longer prefix could match, so such a shard is never split.
std::vector<char> upn_next_characters(std::string_view prefix);

// The longest prefix a shard is split to; deeper than any real skew needs, short enough for a URL.
inline constexpr std::size_t max_shard_prefix = 48;

// Shards paged at once for a tenant of total_users: 0 (the single chain) when sharding is off or the tenant is
// too small for it to pay (the extra first pages would cost more round trips than they save).
unsigned shard_chains_for(const shards_setting& setting, std::int64_t total_users);

// The request that counts the directory's users (one user on the page, @odata.count = all of them); it needs
// ConsistencyLevel: eventual, without which Graph ignores $count.
std::string users_count_url();

// The first page of the shard of users whose principal name starts with prefix (case-insensitive, as Graph's
// startswith, which needs no advanced query), with $count=true so the shard's size is known (that part is an
// advanced query: the chain sends ConsistencyLevel: eventual on every page).
std::string shard_first_url(std::string_view prefix);

// Whether a shard that counts count users is worth splitting: it holds more than one and a half chains' even
// share of the users (the directory's count, so that the decision depends on counts only) plus what the split
// costs (a first page per longer prefix, spread over the chains), and more than two pages, so it alone would keep
// the listing going long after the others are done.
bool worth_splitting(std::int64_t count, std::int64_t users, unsigned chains);

// Whether a shard may be split into longer prefixes at all (its prefix is in the local part and not too long).
bool splittable(std::string_view prefix);

// One shard's progress: where its chain is, how many users it said it holds and how many were stored.
struct shard_progress {
  // replaced: split into longer prefixes, or queued again to be listed anew (it lists nothing more itself).
  // waiting: a longer prefix that no name of its parent's first page had; listed only when its siblings' counts
  // do not add up to its parent's (shard_cursor::settle_waiting), so a split costs the prefixes names use.
  enum class phase { pending, running, done, replaced, waiting };
  std::string prefix{};
  phase at = phase::pending;
  std::string next_link{};              // running: the link after the last stored page
  std::optional<std::int64_t> count{};  // @odata.count of its first page
  std::int64_t stored = 0;              // users stored from this shard
  unsigned listing = 1;                 // 1 for its first listing, 2 when it is listed again alone, ...
  bool uncounted = false;               // its first page came without @odata.count (this run only, not stored)

  // Its name in logs.
  std::string name() const { return "'" + prefix + "'"; }
  // The first page of its users.
  std::string first_url() const { return shard_first_url(prefix); }
  // Done, or replaced.
  bool finished() const { return at == phase::done || at == phase::replaced; }
};

// How the users a finished sharded listing stored compare with the directory's count.
struct shards_verdict {
  enum class kind {
    proven,             // every shard listed what it counted, and the counts add up to the directory's
    more_than_counted,  // the shards hold more users than the directory counted (its count lags): nothing missed
    fewer_than_counted  // the shards hold fewer: users outside every prefix, or deleted meanwhile
  };
  kind outcome = kind::proven;
  std::int64_t listed = 0;  // users stored by the shards that were not replaced
};

// Every shard of a sharded listing: what a snapshot stores as its resume cursor (scans.next_link).
struct shard_cursor {
  std::vector<shard_progress> shards;

  // A cursor with every shard of the partition pending.
  static shard_cursor fresh();
  // True if text is a stored sharded cursor of any version (a plain @odata.nextLink is not).
  static bool is_sharded(std::string_view text);
  // Reads a stored cursor; an error when it is not one this version reads (v2 cursors held range halves that
  // this version no longer asks for: their scan is listed again from the start).
  static base::result<shard_cursor> decode(std::string_view text);
  // The text to store: empty once every shard is done (the listing is complete, as for a single chain).
  std::string encode() const;

  // True when every shard is done.
  bool done() const;
  // Replaces the shard at index, which counted count users, by one shard per character that may follow its
  // prefix, appended after every shard queued so far: those that names in sample (the shard's first page) use
  // are pending, most frequent first; the others are waiting. Which shards there are never depends on sample,
  // only their order and which wait. Returns how many were appended.
  std::size_t split(std::size_t index, std::int64_t count, std::span<const std::string> sample = {});
  // Settles the waiting shard at index and its waiting siblings together: done and empty when the counts of its
  // pending siblings add up to their parent's count exactly, pending (to be listed) otherwise. false, changing
  // nothing, while a sibling's count is still unknown (its first page not yet in).
  bool settle_waiting(std::size_t index);
  // Replaces the shard at index by a fresh pending copy of it (listing + 1) inserted at position at (> index).
  void relist(std::size_t index, std::size_t at);
  // How the finished shards compare with total_users (call when done()).
  shards_verdict verdict(std::int64_t total_users) const;
};

}  // namespace scanner
