// scanner/users_chain.hpp — the users chain of a scan: GET /users pages followed by @odata.nextLink, each page
// completed with its plan rows and stored with the link to the next page in one transaction (the resume cursor).
#pragma once

#include "base/error.hpp"
#include "scanner/batch.hpp"
#include "scanner/concurrency.hpp"
#include "scanner/crawl.hpp"
#include "scanner/graph_client.hpp"
#include "scanner/parse_users.hpp"
#include "scanner/progress.hpp"
#include "scanner/stop_signal.hpp"
#include "storage/database.hpp"

#include <boost/asio/thread_pool.hpp>

#include <cstdint>
#include <functional>
#include <optional>
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
  storage::scan_counters before;  // requests and 429s of earlier runs of a resumed snapshot
  page_auditor* auditor = nullptr;  // when set, each page's findings are stored with it (scan_options)
};

// What the chain has done so far.
struct chain_totals {
  std::int64_t users = 0;  // stored by this run
  std::int64_t licensed_users = 0;
  std::int64_t pages = 0;
  std::int64_t users_before = 0;             // stored by earlier runs (resume), for progress
  std::optional<std::int64_t> total_users;   // @odata.count, when asked for
  bool restarted = false;                    // a resume whose stored link had expired started over
  bool relisted = false;                     // the shards did not prove complete: the single chain listed again
  std::int64_t shards_halved = 0;            // big shards listed in two halves (chain_hooks::split)
};

// split: a sharded chain handed its shard over to two halves (chain_hooks::split).
enum class chain_end { done, stopped, split };

// How one chain of a sharded listing differs from the single chain: where it starts over when its stored link
// expired, the resume cursor stored with each page (all shards' progress), and the count its first page gave.
struct chain_hooks {
  std::string first_url;
  // Called on the storage thread with each page's next link and user count, just before the page is stored;
  // returns the cursor to store with it.
  std::function<std::string(const std::string& next_link, std::size_t users)> cursor;
  std::optional<std::int64_t> count;  // @odata.count of the chain's first page
  // Called with a fresh chain's first page before anything of it is stored: true ends the chain there
  // (chain_end::split) and the page is dropped, its users to be listed again by the halves the hook queued.
  std::function<bool(const parsed_user_page& first)> split;
};

// The first page's URL: exactly the stored properties, 999 per page; with_count adds $count=true for progress.
std::string first_users_url(bool with_count);

// True if a failed request's error says Graph answered 400 (a query it refuses, such as a filter or $count it
// does not support here): the sharded listing then falls back to one chain.
bool answered_bad_request(const base::error& e);

// True if a failed request's error says its link can no longer be used (400 Directory_ExpiredPageToken and the
// like, 410): a resume then starts the chain over.
bool link_unusable(const base::error& e);

// The counters to store with a page: this run's client and batch counts on top of the earlier runs'.
storage::scan_counters current_counters(const chain_context& ctx);

// Follows the chain from start_url until its last page is stored (done) or a stop is requested (stopped; every
// stored page is whole and the cursor points after it). resuming: start_url is a stored link that may have
// expired, in which case the chain starts over in the same snapshot (storage replaces re-written users).
// hooks: one shard of a sharded listing (null for the single chain).
net::awaitable<base::result<chain_end>> crawl_users(chain_context& ctx, std::string start_url, bool resuming,
                                                    chain_totals& totals, chain_hooks* hooks = nullptr);

}  // namespace scanner
