#include "scanner/detail/users_chain.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/storage_thread.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <exception>
#include <optional>

namespace scanner {
namespace {

std::string short_link(std::string_view link) {
  if (link.size() <= max_url_in_errors) return std::string(link);
  return std::string(link.substr(0, max_url_in_errors)) + "…";
}

net::awaitable<base::result<unless_stopped<parsed_user_page>>> fetch_page(chain_context& ctx, std::string url,
                                                                          bool advanced) {
  graph_request req{"GET", std::move(url), {}, {}};
  // An advanced query needs its header on every page, not only the first (docs/scanning.md, "Advanced queries"):
  // the chain says so, since a nextLink need not show the $count it continues.
  if (advanced) req.headers.emplace_back(advanced_query_header, advanced_query_value);
  auto fetching = get_parsed_or_stop<parsed_user_page>(ctx.client, std::move(req), parse_user_page, ctx.stop);
  co_return co_await std::move(fetching);
}

// The part of a link that names the page, without its scheme and host: a server may give one page's link as a
// relative and then as an absolute URL.
std::string_view page_of(std::string_view link) {
  if (auto const scheme = link.find("://"); scheme != std::string_view::npos) {
    auto const path = link.find('/', scheme + 3);
    return path == std::string_view::npos ? std::string_view() : link.substr(path);
  }
  return link;
}

// The links one chain has followed, to stop a server that pages in a circle.
class chain_links {
 public:
  // Records link; false if the chain followed it before.
  bool first_time(std::string_view link) { return seen_.insert(page_of(link)); }

 private:
  seen_ids seen_;
};

// Records the page's user ids in the run's set; counts and reports those listed before.
void note_duplicates(chain_context& ctx, const parsed_user_page& page, chain_totals& totals) {
  if (ctx.seen == nullptr) return;
  std::int64_t again = 0;
  for (auto const& u : page.page.users)
    if (!ctx.seen->insert(u.id)) ++again;
  if (again == 0) return;
  if (totals.duplicate_users == 0)
    base::log(base::log_level::warn,
              "scan {}: Graph listed {} user(s) of this page before (first: {}): each is "
              "stored once",
              ctx.scan_id, again, page.page.users.front().id);
  totals.duplicate_users += again;
}

progress_counts progress_of(const chain_context& ctx, const chain_totals& totals) {
  auto const counters = current_counters(ctx);
  return {.users = totals.users_before + totals.users,
          .pages = totals.pages,
          .requests = counters.requests,
          .throttled = counters.throttled,
          .total_users = totals.total_users};
}

// The users of the page that hold a license, once each, in page order.
std::vector<std::string> licensed_user_ids(const storage::user_page& page) {
  std::vector<std::string> ids;
  for (auto const& license : page.licenses) {
    if (ids.empty() || ids.back() != license.user_id) ids.push_back(license.user_id);
  }
  return ids;
}

// Adds the page's plan rows (derived, or fetched through $batch) and stores it with its next link. false when a
// stop came first (nothing of the page is stored).
net::awaitable<base::result<bool>> complete_and_store(chain_context& ctx, parsed_user_page page, chain_totals& totals,
                                                      chain_hooks* hooks) {
  if (ctx.mode == license_details_mode::fetch) {
    auto fetching = fetch_license_details(ctx.client, licensed_user_ids(page.page), ctx.limits, ctx.stop, ctx.batches);
    auto rows = co_await std::move(fetching);
    if (!rows) co_return rows.error();
    if (!*rows) co_return false;
    page.page.plans = std::move(**rows);
  }
  auto const counters = current_counters(ctx);
  // Classified here, on the io thread, so that the storage thread (the crawl's bottleneck) only inserts.
  std::vector<storage::finding_record> findings;
  if (ctx.auditor != nullptr) findings = ctx.auditor->findings_of(page.page);
  // A derived snapshot's plan rows are computed by storage on read, from the licenses and the SKUs' plans.
  auto write = [&ctx, &page, &findings, counters, hooks]() -> base::result<void> {
    if (hooks == nullptr) return ctx.db.write_user_page(ctx.scan_id, page.page, page.next_link, counters, findings);
    // The cursor is made here, on the storage thread, so that it records exactly the pages stored before it
    // (scanner/detail/users_shards.cpp, invariant 5).
    std::string const cursor = hooks->cursor(page.next_link, page.page.users.size());
    return ctx.db.write_user_page(ctx.scan_id, page.page, cursor, counters, findings);
  };
  auto storing = run_on(ctx.storage_thread, std::move(write));
  auto stored = co_await std::move(storing);
  if (!stored) co_return stored.error();
  if (ctx.groups != nullptr)
    for (auto const& state : page.page.states)
      if (state.assigned_by_group && !state.assigned_by_group->empty()) ctx.groups->insert(*state.assigned_by_group);
  totals.users += static_cast<std::int64_t>(page.page.users.size());
  totals.licensed_users += page.licensed_users;
  ++totals.pages;
  ctx.progress.update(progress_of(ctx, totals));
  base::log(base::log_level::debug, "stored page {} of scan {}: {} users", totals.pages, ctx.scan_id,
            page.page.users.size());
  co_return true;
}

// The pages of one chain being completed and stored behind its fetches.
struct stores_behind {
  explicit stores_behind(net::any_io_executor ex) : wake(std::move(ex), net::steady_timer::time_point::max()) {}
  unsigned in_flight = 0;
  std::optional<base::error> failed;  // the first store that failed
  bool stopped = false;               // a store met a stop before it stored anything
  net::steady_timer wake;             // cancelled whenever a store ends

  // Waits until at most n stores are in flight.
  net::awaitable<void> drain(unsigned n) {
    constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
    while (in_flight > n) {
      wake.expires_at(net::steady_timer::time_point::max());
      co_await wake.async_wait(use_tuple);
    }
  }
};

// Starts completing and storing page; stores records how it ended.
void store_behind(chain_context& ctx, parsed_user_page page, chain_totals& totals, chain_hooks* hooks,
                  stores_behind& stores) {
  ++stores.in_flight;
  auto storing = complete_and_store(ctx, std::move(page), totals, hooks);
  net::co_spawn(stores.wake.get_executor(), std::move(storing),
                [&stores](std::exception_ptr e, base::result<bool> stored) {
                  --stores.in_flight;
                  if (e) stored = base::internal_error(e, "storing a page");
                  if (!stored) {
                    if (!stores.failed) stores.failed = std::move(stored.error());
                  } else if (!*stored) {
                    stores.stopped = true;
                  }
                  stores.wake.cancel();
                });
}

}  // namespace

std::string first_users_url() { return fmt::format("/v1.0/users?$select={}&$top={}", user_select, users_page_size); }

std::int64_t most_users_for(std::int64_t count) { return 2 * count + users_page_size; }

bool answered_bad_request(const base::error& e) { return e.reply.http_status == 400; }

bool link_unusable(const base::error& e) {
  // Directory_ExpiredPageToken is a 400 (docs/scanning.md, "Page links"); 410 Gone is what expired links of
  // other Graph collections answer.
  return e.reply.http_status == 400 || e.reply.http_status == 410;
}

storage::scan_counters counters_since(const storage::scan_counters& before, const graph_client& client,
                                      const batch_counters& batches) {
  auto const stats = client.stats();
  return {.requests = before.requests + stats.requests,
          .throttled = before.throttled + stats.throttled + batches.items_throttled};
}

storage::scan_counters current_counters(const chain_context& ctx) {
  return counters_since(ctx.before, ctx.client, ctx.batches);
}

net::awaitable<base::result<chain_end>> crawl_users(chain_context& ctx, chain_start start, chain_totals& totals,
                                                    chain_hooks* hooks) {
  chain_links links;
  links.first_time(start.url);
  std::string const first_url = start.url;
  auto first_fetch = fetch_page(ctx, std::move(start.url), start.advanced);
  auto first = co_await std::move(first_fetch);
  if (!first && start.resuming && link_unusable(first.error())) {
    base::log(base::log_level::warn, "scan {}: the stored link cannot be followed any more ({})", ctx.scan_id,
              first.error().message);
    co_return chain_end::link_expired;
  }
  if (!first) co_return first.error();
  if (!*first) co_return chain_end::stopped;
  parsed_user_page current = std::move(**first);
  if (current.count && hooks != nullptr) hooks->count = *current.count;
  if (!start.most && current.count && !start.resuming) start.most = most_users_for(*current.count);
  if (!start.resuming && hooks != nullptr && hooks->split && hooks->split(current)) co_return chain_end::split;

  // The chain is sequential, but its pages need not wait for their own storing: in derived mode up to
  // stores_ahead pages of it queue for the storage thread (shared with the other shards' chains) while it fetches
  // on, so a long storage queue does not stretch its round trips. The storage thread runs them in order, so the
  // stored cursor never passes a page that is not stored. Fetch mode completes a page with $batch requests first,
  // which could finish out of order: there the chain stores each page before it fetches past the next.
  unsigned const stores_ahead = ctx.mode == license_details_mode::derived ? 2 : 1;
  auto const executor = co_await net::this_coro::executor;
  stores_behind stores(executor);
  std::int64_t listed = 0;
  std::optional<base::error> looping;
  for (;;) {
    note_duplicates(ctx, current, totals);
    listed += static_cast<std::int64_t>(current.page.users.size());
    bool const last = current.next_link.empty();
    std::string next_url = current.next_link;
    if (!last && !links.first_time(next_url)) {
      looping = base::runtime_error(fmt::format(
          "Graph's users listing pages in a circle: @odata.nextLink {} was followed before (after {} users from {}); "
          "the scan stops and the previous snapshot stays the latest",
          short_link(next_url), listed, short_link(first_url)));
    } else if (start.most && listed > *start.most) {
      looping = base::runtime_error(fmt::format(
          "Graph's users listing from {} goes on past {} users where {} were counted; the scan stops (a server "
          "that pages without end) and the previous snapshot stays the latest",
          short_link(first_url), listed, (*start.most - users_page_size) / 2));
    }
    if (looping) break;  // the page that shows the loop is not stored
    store_behind(ctx, std::move(current), totals, hooks, stores);
    if (last) break;
    // The fetch goes first so that its request leaves before the store it just queued runs.
    auto fetching = fetch_page(ctx, std::move(next_url), start.advanced);
    // The stores in flight refer to this frame: an exception waits for them before it leaves it.
    std::exception_ptr thrown;
    base::result<unless_stopped<parsed_user_page>> next = base::runtime_error("not fetched");
    try {
      next = co_await std::move(fetching);
    } catch (...) {
      thrown = std::current_exception();
    }
    if (thrown) {
      co_await stores.drain(0);
      std::rethrow_exception(thrown);
    }
    if (!next || !*next || stores.failed || stores.stopped || ctx.stop.requested()) {
      co_await stores.drain(0);
      if (stores.failed) co_return *stores.failed;
      if (!next && link_unusable(next.error())) {
        base::log(base::log_level::warn, "scan {}: Graph refused a link of the users listing after {} users ({})",
                  ctx.scan_id, listed, next.error().message);
        co_return chain_end::link_expired;
      }
      if (!next) co_return next.error();
      co_return chain_end::stopped;
    }
    current = std::move(**next);
    co_await stores.drain(stores_ahead - 1);
  }
  co_await stores.drain(0);
  if (stores.failed) co_return *stores.failed;
  if (looping) co_return *looping;
  co_return stores.stopped ? chain_end::stopped : chain_end::done;
}

}  // namespace scanner
