#include "scanner/detail/users_shards.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/race.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

namespace scanner {
namespace {

// What the chains of one sharded listing share; lives in crawl_user_shards' frame, which outlives every chain.
//
// The cursor is shared by two threads: the io thread, which runs every chain (one thread: code between two
// co_awaits never interleaves with another chain's), and the storage thread, which stores the chains' pages one
// at a time. The code below relies on these invariants:
//
//  1. Every write to the cursor holds cursor_lock, and so does every read on the storage thread (the cursor
//     hook, which encodes the whole cursor while the io thread may split or relist a shard).
//  2. Only the io thread changes which shards there are (split, relist, settle_waiting). The storage thread
//     writes only the progress (count, stored, at, next_link) of the shard whose page it stores. So the io thread
//     may read the list of shards, and any shard no chain is storing pages for, without the lock.
//  3. A shard's pages are stored only between the start of its crawl_users and its return: crawl_users waits for
//     every store it queued before it returns, and queues none before its first page is in. Before and after,
//     that shard's fields are stable on the io thread.
//  4. Indexes below run.next never move: a chain takes the shard at run.next and moves run.next past it, a split
//     appends, and a relisting inserts at run.next. A chain (and its hooks) may hold its shard's index throughout.
//  5. The stored cursor records exactly the pages stored before it: it is encoded on the storage thread, in the
//     transaction of the page whose progress it records, and that thread stores one chain's pages in order.
struct shard_run {
  shard_run(chain_context& c, shard_cursor& cur, chain_totals& t, unsigned n, net::any_io_executor ex)
      : outer(c),
        cursor(cur),
        chains(n),
        totals(t),
        stop(ex),
        ctx{.db = c.db,
            .storage_thread = c.storage_thread,
            .client = c.client,
            .stop = stop,
            .progress = c.progress,
            .scan_id = c.scan_id,
            .mode = c.mode,
            .limits = c.limits,
            .batches = c.batches,
            .before = c.before,
            .auditor = c.auditor,
            .seen = c.seen,
            .groups = c.groups},
        all_done(ex, net::steady_timer::time_point::max()),
        counted(ex, net::steady_timer::time_point::max()) {}

  chain_context& outer;
  shard_cursor& cursor;    // written on the storage thread (progress) and the io thread (splits), under cursor_lock
  std::mutex cursor_lock;  // see the invariants above
  unsigned chains = 0;
  chain_totals& totals;
  stop_signal stop;      // the outer stop, or the first failure: ends every chain after its current page
  chain_context ctx;     // the outer context with this run's stop
  std::size_t next = 0;  // the first shard no chain has taken yet
  std::optional<base::error> failure;
  bool refused = false;
  unsigned running = 0;      // coroutines spawned and not finished
  unsigned chains_left = 0;  // of them, shard chains
  net::steady_timer all_done;
  net::steady_timer counted;  // never expires: cancelled whenever a shard's first page is in (settle_waiting)

  void fail(base::error e) {
    if (!failure) failure = std::move(e);
    stop.request("a failed shard");
  }
};

// A shard is listed at most this many times (its first listing included) when its listing and its count
// disagree or its links expire; then what it listed is kept (users changed while it was listed).
constexpr unsigned max_listings = 3;

// Splits the shard at index, which counted count users, into longer prefixes queued last (those that names of
// sample, its first page, use; the others wait for their siblings' counts); false when its prefix cannot be split.
bool split_shard(shard_run& run, std::size_t index, std::int64_t count, std::string_view why,
                 std::span<const std::string> sample = {}) {
  std::lock_guard lock(run.cursor_lock);  // (invariant 1)
  auto const& s = run.cursor.shards[index];
  if (!splittable(s.prefix)) return false;
  base::log(base::log_level::debug, "users shard {} {}: listing it as longer prefixes", s.name(), why);
  run.cursor.split(index, count, sample);
  ++run.totals.shards_split;
  return true;
}

// Decides what follows a shard that ended: nothing (it proved itself), a listing of it alone again, or its split.
// Returns the failure that ends the run, if any.
std::optional<base::error> settle_shard(shard_run& run, std::size_t index, chain_end ended) {
  // Its chain has returned, so its fields are read without the lock (invariants 2 and 3); changes take it
  // (invariant 1).
  auto& shards = run.cursor.shards;
  if (ended == chain_end::link_expired) {
    // A shard too long for its links' lifetime is listed as shorter ones; a short one is simply listed again.
    run.totals.relisted = true;
    run.totals.restarted = true;
    auto const count = shards[index].count.value_or(0);
    if (count > 2 * users_page_size && split_shard(run, index, count, "outlived its page links")) return {};
    if (shards[index].listing >= max_listings)
      return base::runtime_error(fmt::format(
          "Graph refused the links of users shard {} in each of its {} listings; the scan stops and the previous "
          "snapshot stays the latest — try again later, or with --shards 64 for shorter chains",
          shards[index].name(), max_listings));
    std::lock_guard lock(run.cursor_lock);
    run.cursor.relist(index, run.next);
    return {};
  }
  auto const& s = shards[index];
  if (!s.count || *s.count == s.stored) return {};
  if (s.listing >= max_listings) {
    base::log(base::log_level::warn,
              "users shard {} counted {} users but listed {} in its listing {}: keeping what "
              "it listed (users changed while it was listed)",
              s.name(), *s.count, s.stored, s.listing);
    return {};
  }
  base::log(base::log_level::warn, "users shard {} counted {} users but listed {}: listing it again alone", s.name(),
            *s.count, s.stored);
  run.totals.relisted = true;
  std::lock_guard lock(run.cursor_lock);
  run.cursor.relist(index, run.next);
  return {};
}

// Waits until the waiting shard at index is settled (listed, or proven empty by its siblings' counts); false when
// the run stopped first. Its siblings are queued before it, so their first pages are in flight or in.
net::awaitable<bool> settle(shard_run& run, std::size_t index) {
  auto wake = [&run]() -> net::awaitable<void> { co_await run.counted.async_wait(net::as_tuple(net::use_awaitable)); };
  for (;;) {
    {
      std::lock_guard lock(run.cursor_lock);
      if (run.cursor.shards[index].at != shard_progress::phase::waiting || run.cursor.settle_waiting(index))
        co_return true;
    }
    // counted never expires and is only cancelled: with one io thread no cancel() falls between the check above
    // and this wait, and each later one wakes every waiter (invariant 2: settle_waiting runs on the io thread).
    if (!co_await unless_stop(wake(), run.stop)) co_return false;
  }
}

// Lists one shard after another until none is left or the run stops.
net::awaitable<void> shard_chain(shard_run& run) {
  auto& shards = run.cursor.shards;
  while (!run.stop.requested()) {
    while (run.next < shards.size() && shards[run.next].finished()) ++run.next;
    if (run.next >= shards.size()) co_return;
    // The shards at and after run.next have no chain, so they are read without the lock (invariant 2); index stays
    // this shard's for the whole chain (invariant 4).
    std::size_t const index = run.next++;
    if (shards[index].at == shard_progress::phase::waiting) {
      if (!co_await settle(run, index)) co_return;
      if (shards[index].finished()) continue;  // proven empty: no request
    }
    // No chain has stored a page of this shard yet in this run, so its fields are stable here (invariant 3).
    bool const resuming = shards[index].at == shard_progress::phase::running;
    chain_hooks hooks;
    hooks.split = [&run, index](const parsed_user_page& first) {
      {
        std::lock_guard lock(run.cursor_lock);  // (invariant 1)
        auto& s = run.cursor.shards[index];
        s.count = first.count;
        s.uncounted = !first.count;
      }
      run.counted.cancel();  // a waiting sibling may be settled now
      if (!first.count || !run.totals.total_users) return false;
      // Measured against the whole directory, not the users still to list: the decision then depends on counts
      // only, never on timing, so a replayed capture (docs/capture.md) asks for exactly the captured shards.
      if (!worth_splitting(*first.count, *run.totals.total_users, run.chains)) return false;
      std::vector<std::string> sample;
      sample.reserve(first.page.users.size());
      for (auto const& u : first.page.users) sample.push_back(u.user_principal_name);
      return split_shard(run, index, *first.count, fmt::format("holds {} users", *first.count), sample);
    };
    // On the storage thread: this shard's progress only, and the whole cursor encoded under the lock (invariants 1,
    // 2 and 5).
    hooks.cursor = [&run, &hooks, index](const std::string& next_link, std::size_t users) {
      std::lock_guard lock(run.cursor_lock);
      auto& s = run.cursor.shards[index];
      if (hooks.count) s.count = hooks.count;
      s.stored += static_cast<std::int64_t>(users);
      s.at = next_link.empty() ? shard_progress::phase::done : shard_progress::phase::running;
      s.next_link = next_link;
      return run.cursor.encode();
    };
    chain_start start{.url = resuming ? shards[index].next_link : shards[index].first_url(),
                      .resuming = resuming,
                      .advanced = true,
                      .most = shards[index].count ? std::optional(most_users_for(*shards[index].count)) : std::nullopt};
    auto crawling = crawl_users(run.ctx, std::move(start), run.totals, &hooks);
    auto ended = co_await std::move(crawling);
    if (!ended) {
      // A refused startswith shows on a shard's first page; anything else is the scan's failure.
      if (!resuming && shards[index].stored == 0 && answered_bad_request(ended.error())) {
        base::log(base::log_level::warn, "Graph refused the users shard {} ({}): listing the users in one chain",
                  shards[index].name(), ended.error().message);
        run.refused = true;
        run.stop.request("a refused shard");
      } else {
        run.fail(std::move(ended.error()));
      }
      co_return;
    }
    if (*ended == chain_end::stopped) co_return;
    if (*ended == chain_end::split) continue;  // the longer prefixes are next in line
    if (auto failed = settle_shard(run, index, *ended)) {
      run.fail(std::move(*failed));
      co_return;
    }
  }
}

// Turns the outer stop (SIGINT) into this run's stop; ends when either is requested.
net::awaitable<void> forward_stop(shard_run& run) {
  // unless_stop, not Boost's ||, which waits for the first branch that succeeds (docs/security.md).
  auto outer = run.outer.stop.wait();
  auto raced = unless_stop(std::move(outer), run.stop);
  co_await std::move(raced);
  if (run.outer.stop.requested()) run.stop.request(run.outer.stop.reason());
}

void spawn(shard_run& run, net::awaitable<void> task, bool chain) {
  ++run.running;
  if (chain) ++run.chains_left;
  net::co_spawn(run.all_done.get_executor(), std::move(task), [&run, chain](std::exception_ptr e) {
    if (e) run.fail(base::internal_error(e, "scan"));
    if (chain && --run.chains_left == 0) run.stop.request("the shards are listed");  // ends forward_stop
    if (--run.running == 0) run.all_done.cancel();
  });
}

}  // namespace

net::awaitable<base::result<unless_stopped<user_count>>> count_users(graph_client& client, stop_signal& stop) {
  graph_request req{
      "GET", users_count_url(), {}, {{std::string(advanced_query_header), std::string(advanced_query_value)}}};
  auto fetching = get_parsed_or_stop<parsed_user_page>(client, std::move(req), parse_user_page, stop);
  auto page = co_await std::move(fetching);
  if (!page) {
    // A Graph without advanced queries may refuse $count outright; the listing then needs no count.
    if (answered_bad_request(page.error())) co_return unless_stopped<user_count>{user_count{}};
    co_return page.error();
  }
  if (!*page) co_return unless_stopped<user_count>{};
  // No @odata.count: Graph ignored $count (no advanced queries here, as in Azure AD B2C), which is no failure.
  co_return unless_stopped<user_count>{user_count{(*page)->count}};
}

net::awaitable<base::result<shards_end>> crawl_user_shards(chain_context& ctx, shard_cursor& cursor, unsigned chains,
                                                           chain_totals& totals) {
  auto const executor = co_await net::this_coro::executor;
  shard_run run(ctx, cursor, totals, std::max(chains, 1u), executor);
  spawn(run, forward_stop(run), false);
  for (unsigned n = 0; n < std::max(chains, 1u); ++n) spawn(run, shard_chain(run), true);
  constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
  co_await run.all_done.async_wait(use_tuple);

  // Every chain has returned: no store is left to write the cursor (invariant 3).
  if (run.failure) co_return *run.failure;
  if (ctx.stop.requested()) co_return shards_end::stopped;
  if (run.refused) co_return shards_end::refused;
  co_return shards_end::done;
}

}  // namespace scanner
