// scanner/detail/users_chain.hpp — the users chain of a scan: GET /users pages followed by @odata.nextLink, each page
// completed with its plan rows and stored with the link to the next page in one transaction (the resume cursor).
#pragma once

#include "base/error.hpp"
#include "scanner/crawl.hpp"
#include "scanner/detail/batch.hpp"
#include "scanner/detail/concurrency.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/progress.hpp"
#include "scanner/detail/seen_ids.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
#include "storage/database.hpp"

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace scanner {

// What the chain reads and updates; owned by the crawl, alive for the whole chain.
struct chain_context {
  storage::database& db;
  boost::asio::thread_pool& storage_thread;  // every db call of the chain runs there, one at a time
  graph_client& client;
  stop_signal& stop;
  progress_meter& progress;
  std::int64_t scan_id = 0;
  license_details_mode mode = license_details_mode::derived;
  batch_limits& limits;
  batch_counters& batches;
  storage::scan_counters before;    // requests and 429s of earlier runs of a resumed snapshot
  page_auditor* auditor = nullptr;  // when set, each page's findings are stored with it (scan_options)
  seen_ids* seen = nullptr;         // every user id listed in this run (all chains), to find ids listed twice
  // When set, every licensing group (assignedByGroup) of the states this run stored (all chains), lower-case.
  std::set<std::string>* groups = nullptr;
};

// What the chain has done so far.
struct chain_totals {
  std::int64_t users = 0;  // stored by this run
  std::int64_t licensed_users = 0;
  std::int64_t pages = 0;
  std::int64_t users_before = 0;            // stored by earlier runs (resume), for progress
  std::optional<std::int64_t> total_users;  // @odata.count, when asked for
  bool restarted = false;                   // a chain whose link had expired started over
  bool relisted = false;                    // users listed again (a shard relisted, the single chain after shards)
  std::int64_t shards_split = 0;            // big shards listed as longer prefixes (chain_hooks::split)
  std::int64_t duplicate_users = 0;         // user ids listed a second time in this run (stored once in the end)
};

// split: a sharded chain handed its shard over to longer prefixes (chain_hooks::split).
// link_expired: a page's @odata.nextLink (or the stored link it resumed from) was refused with 400 or 410, so
// the chain cannot go on from there; the caller starts it over, splits it, or gives up.
enum class chain_end { done, stopped, split, link_expired };

// Where a chain starts and what it may list.
struct chain_start {
  std::string url{};                   // the first page, or a stored link (resuming)
  bool resuming = false;               // url is a stored link of an earlier run
  bool advanced = false;               // send ConsistencyLevel: eventual on every page ($count, or a sharded chain)
  std::optional<std::int64_t> most{};  // users the chain may list before it is stopped as looping (when known)
};

// How one chain of a sharded listing differs from the single chain: the resume cursor stored with each page
// (all shards' progress), and the count its first page gave.
struct chain_hooks {
  // Called on the storage thread with each page's next link and user count, just before the page is stored;
  // returns the cursor to store with it. Shared with the io thread under the rules of the shard run (invariants 1
  // and 5 in scanner/detail/users_shards.cpp).
  std::function<std::string(const std::string& next_link, std::size_t users)> cursor;
  std::optional<std::int64_t> count;  // @odata.count of the chain's first page
  // Called with a fresh chain's first page before anything of it is stored: true ends the chain there
  // (chain_end::split) and the page is dropped, its users to be listed again by the halves the hook queued.
  std::function<bool(const parsed_user_page& first)> split;
};

// The single chain's first page: exactly the stored properties, 999 per page, no advanced query (Graph lists
// every user that way, in every tenant).
std::string first_users_url();

// The users a chain that counted count users may list before it is taken for a loop: twice the count and a page.
std::int64_t most_users_for(std::int64_t count);

// True if a failed request's error says Graph answered 400 (a query it refuses, such as a filter or $count it
// does not support here): the sharded listing then falls back to one chain.
bool answered_bad_request(const base::error& e);

// True if a failed request's error says its link can no longer be used (400 Directory_ExpiredPageToken and the
// like, 410): the chain starts over.
bool link_unusable(const base::error& e);

// The counters to store with a page or a finished snapshot: this run's client and batch counts on top of before,
// the earlier runs'.
storage::scan_counters counters_since(const storage::scan_counters& before, const graph_client& client,
                                      const batch_counters& batches);

// counters_since for the chain's context.
storage::scan_counters current_counters(const chain_context& ctx);

// Follows the chain from start until its last page is stored (done), a stop is requested (stopped; every
// stored page is whole and the cursor points after it), or a link is refused (link_expired: the pages stored
// stay, and a listing that starts over stores them again, which storage resolves by keeping the newest copy).
// Fails, with nothing more stored, when a @odata.nextLink repeats one of the chain's earlier links or the chain
// lists more than start.most users: a server that pages in a circle never ends the scan.
// hooks: one shard of a sharded listing (null for the single chain).
net::awaitable<base::result<chain_end>> crawl_users(chain_context& ctx, chain_start start, chain_totals& totals,
                                                    chain_hooks* hooks = nullptr);

}  // namespace scanner
