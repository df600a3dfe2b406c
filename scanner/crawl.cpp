#include "scanner/crawl.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/fetch_tenant.hpp"
#include "scanner/users_chain.hpp"
#include "scanner/users_shards.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <fmt/core.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <optional>

namespace scanner {
namespace {

std::string_view mode_name(license_details_mode m) { return m == license_details_mode::fetch ? "fetch" : "derived"; }

// Everything one run of `scan` owns; the coroutine below works on it.
struct crawl {
  crawl(storage::database& d, const scan_options& o, graph_client& g, stop_signal& s, progress_meter& p)
      : db(d), options(o), client(g), stop(s), progress(p) {}

  storage::database& db;
  const scan_options& options;
  graph_client& client;
  stop_signal& stop;
  progress_meter& progress;
  boost::asio::thread_pool storage_thread{1};
  scan_summary summary;
  std::optional<std::int64_t> scan_id;
  storage::scan_counters before;
  std::int64_t users_before = 0;
  batch_counters batches;

  storage::scan_counters counters() const {
    auto const stats = client.stats();
    return {before.requests + stats.requests, before.throttled + stats.throttled + batches.items_throttled};
  }

  base::error interrupted() const {
    if (!scan_id) return base::runtime_error(fmt::format("scan interrupted by {} before anything was stored", stop.reason()));
    return base::runtime_error(fmt::format("scan {} interrupted by {}; run `entra-audit scan --resume` to continue it",
                                           *scan_id, stop.reason()));
  }

  // Ends the snapshot as failed or interrupted (never complete) and returns the error to report.
  base::error give_up(base::error e, storage::scan_status status = storage::scan_status::failed) {
    if (scan_id) {
      auto finished = db.finish_scan(*scan_id, status, counters(), e.message);
      if (!finished) base::log(base::log_level::error, "{}", finished.error().message);
    }
    return e;
  }

  // Picks the snapshot to write: the tenant's resumable one when asked and possible, else a new one.
  base::result<std::optional<storage::scan_info>> choose_snapshot(const storage::organization_record& org) {
    std::optional<storage::scan_info> resumable;
    if (options.resume) {
      auto found = db.resumable_scan(org.tenant_id);
      if (!found) return found.error();
      if (*found && (*found)->graph_endpoint != client.graph_root()) {
        base::log(base::log_level::warn, "scan {} was taken from {}, not {}: starting a new scan", (*found)->scan_id,
                  (*found)->graph_endpoint, client.graph_root());
      } else if (*found) {
        resumable = std::move(**found);
      } else {
        base::log(base::log_level::info, "no interrupted scan of tenant {} to resume: starting a new scan",
                  org.tenant_id);
      }
    }
    if (resumable) {
      scan_id = resumable->scan_id;
      before = {resumable->requests, resumable->throttled};
      users_before = resumable->users;
      summary.resumed = true;
      base::log(base::log_level::info, "resuming scan {} of tenant {} after {} pages ({} users)", resumable->scan_id,
                org.tenant_id, resumable->pages, resumable->users);
    } else {
      auto id = db.begin_scan({org.tenant_id, std::string(mode_name(options.mode)), options.tool_version,
                               client.graph_root()});
      if (!id) return id.error();
      scan_id = *id;
    }
    if (auto set = db.set_tenant(*scan_id, org); !set) return set.error();
    return resumable;
  }

  // Lists every user into the snapshot: sharded when the setting (or a stored sharded cursor) says so and the
  // shards prove complete, else (or as the fallback) in one chain. cursor: the stored resume cursor, if any.
  // counted: the users count (count_users), when run() asked for it (sharding, or a sharded resume).
  using users_count = base::result<unless_stopped<std::int64_t>>;
  net::awaitable<base::result<chain_end>> list_users(chain_context& ctx, std::string cursor,
                                                     std::optional<users_count> counted, chain_totals& totals) {
    bool const sharded_resume = shard_cursor::is_sharded(cursor);
    if (!cursor.empty() && !sharded_resume) {
      auto crawling = crawl_users(ctx, std::move(cursor), true, totals);
      co_return co_await std::move(crawling);
    }
    std::optional<shard_cursor> shards;
    unsigned chains = 0;
    std::int64_t total = 0;
    if (counted) {
      auto& count = *counted;
      bool const refused = !count && answered_bad_request(count.error());
      if (refused) {
        // Without $count the shards cannot be proven complete: the single chain lists everyone.
        base::log(base::log_level::warn, "Graph cannot count the users ({}): listing them in one chain",
                  count.error().message);
        totals.relisted = sharded_resume;  // the shards' stored pages are then listed again
        totals.users = 0;
        totals.licensed_users = 0;
        auto crawling = crawl_users(ctx, first_users_url(false), false, totals);
        co_return co_await std::move(crawling);
      }
      if (!count) co_return count.error();
      if (!*count) co_return chain_end::stopped;
      total = **count;
      totals.total_users = total;
      if (sharded_resume) {
        auto decoded = shard_cursor::decode(cursor);
        if (!decoded) co_return decoded.error();
        shards = std::move(*decoded);
        chains = options.shards.chains > 0 ? options.shards.chains : auto_shard_chains;
      } else if ((chains = shard_chains_for(options.shards, total)) > 0) {
        shards = shard_cursor::fresh();
      }
    }
    if (shards) {
      base::log(base::log_level::info, "listing {} users in {} shards, {} at a time", total, shards->shards.size(),
                chains);
      auto crawling = crawl_user_shards(ctx, *shards, chains, totals);
      auto ended = co_await std::move(crawling);
      if (!ended) co_return ended.error();
      if (*ended == shards_end::stopped) co_return chain_end::stopped;
      if (*ended == shards_end::done) {
        auto const why = shards->incomplete(total);
        if (!why) co_return chain_end::done;
        base::log(base::log_level::warn, "the users shards do not add up ({}): listing the users again in one chain",
                  *why);
      }
      // The single chain stores every user again; finish_scan keeps the newest copy of each.
      totals.relisted = true;
      totals.users = 0;
      totals.licensed_users = 0;
    }
    auto crawling = crawl_users(ctx, first_users_url(progress.enabled()), false, totals);
    co_return co_await std::move(crawling);
  }

  net::awaitable<base::result<void>> run() {
    // The organization, the tenant facts and (when sharding may want it) the users count do not depend on each
    // other: one round trip in a row, not three. Facts are read again on resume: they are small, and a derived
    // snapshot's plan rows come from them.
    using namespace boost::asio::experimental::awaitable_operators;
    bool const may_count = options.resume || options.shards.automatic || options.shards.chains > 0;
    base::result<unless_stopped<storage::organization_record>> org = base::runtime_error("not read");
    base::result<unless_stopped<tenant_facts>> facts = base::runtime_error("not read");
    std::optional<users_count> counted;
    if (may_count) {
      auto fetching_org = fetch_organization(client, stop);
      auto fetching_facts = fetch_tenant_facts(client, stop);
      auto counting = count_users(client, stop);
      auto [o, f, c] = co_await (std::move(fetching_org) && std::move(fetching_facts) && std::move(counting));
      org = std::move(o);
      facts = std::move(f);
      counted = std::move(c);
    } else {
      auto fetching_org = fetch_organization(client, stop);
      auto fetching_facts = fetch_tenant_facts(client, stop);
      auto [o, f] = co_await (std::move(fetching_org) && std::move(fetching_facts));
      org = std::move(o);
      facts = std::move(f);
    }
    if (!org) co_return org.error();
    if (!*org) co_return interrupted();
    summary.tenant_id = (*org)->tenant_id;
    summary.tenant_name = (*org)->display_name;

    auto resumable = choose_snapshot(**org);
    if (!resumable) co_return give_up(resumable.error());
    license_details_mode mode = options.mode;
    if (*resumable && (*resumable)->license_details_mode != mode_name(mode)) {
      base::log(base::log_level::warn, "scan {} was started with --license-details {}: continuing it that way",
                *scan_id, (*resumable)->license_details_mode);
      mode = (*resumable)->license_details_mode == "fetch" ? license_details_mode::fetch
                                                           : license_details_mode::derived;
    }

    batch_limits limits(options.concurrency, options.ru_per_10s);
    chain_context ctx{db, storage_thread, client, stop, progress, *scan_id, mode, limits, batches, before, nullptr};
    bool const chain_done = *resumable && (*resumable)->next_link.empty() && (*resumable)->pages > 0;
    std::string cursor = *resumable ? (*resumable)->next_link : std::string();
    // The count serves a fresh sharded listing or a sharded resume only.
    bool const wants_count = !chain_done && (shard_cursor::is_sharded(cursor) ||
                                             (cursor.empty() && (options.shards.automatic || options.shards.chains > 0)));
    if (!wants_count) counted.reset();
    if (!facts) co_return give_up(facts.error());
    if (!*facts) co_return give_up(interrupted(), storage::scan_status::interrupted);
    if (auto written = db.write_tenant_facts(*scan_id, (*facts)->skus, (*facts)->subscriptions); !written)
      co_return give_up(written.error());
    // A resumed snapshot holds users stored before this run, which a streamed audit would not see.
    if (options.auditor != nullptr && mode == license_details_mode::derived && !*resumable &&
        options.auditor->begin(db, *scan_id))
      ctx.auditor = options.auditor;
    summary.skus = static_cast<std::int64_t>((*facts)->skus.size());
    summary.subscriptions = static_cast<std::int64_t>((*facts)->subscriptions.size());

    chain_totals totals;
    totals.users_before = users_before;
    if (!chain_done) {
      auto listing = list_users(ctx, std::move(cursor), std::move(counted), totals);
      auto chain = co_await std::move(listing);
      progress.finish({users_before + totals.users, totals.pages, counters().requests, counters().throttled,
                       totals.total_users});
      if (!chain) co_return give_up(chain.error());
      if (*chain == chain_end::stopped) co_return give_up(interrupted(), storage::scan_status::interrupted);
    }
    summary.licensed_users = totals.licensed_users;
    summary.pages = totals.pages;
    summary.shards_halved = totals.shards_halved;

    // One uninterrupted derived listing stores each user once (a sharded one proved it against $count); a resume,
    // a restarted or repeated listing, or fetch mode's retried batches may leave older copies to remove.
    bool const copies = summary.resumed || totals.restarted || totals.relisted || mode == license_details_mode::fetch;
    summary.findings_streamed = ctx.auditor != nullptr && !copies;
    // A streamed audit's last findings complete the snapshot with it, so it is never seen complete without them.
    std::vector<storage::finding_record> last;
    if (summary.findings_streamed) last = ctx.auditor->last_findings();
    if (auto finished = db.finish_scan(*scan_id, storage::scan_status::complete, counters(), {},
                                       copies ? storage::snapshot_copies::possible : storage::snapshot_copies::none,
                                       last);
        !finished)
      co_return give_up(finished.error());
    co_return base::result<void>{};
  }
};

// Licensed users of a resumed snapshot: earlier runs stored some, so count them from the database.
std::int64_t count_licensed(storage::database& db, std::int64_t scan_id) {
  std::int64_t licensed = 0;
  auto counted = db.for_each_user(scan_id, [&](const storage::user_licenses& u) {
    if (!u.licenses.empty()) ++licensed;
  });
  return counted ? licensed : 0;
}

}  // namespace

base::result<scan_summary> run_scan(storage::database& db, const scan_options& options) {
  auto const started = std::chrono::steady_clock::now();
  net::io_context io;
  auto client = graph_client::create(io, options.connection, options.creds);
  if (!client) return client.error();

  stop_signal stop(io.get_executor());
  // A first SIGINT/SIGTERM ends the scan after the current page's transaction; a second one ends the process
  // (SQLite's journal keeps the file consistent either way).
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](auto const& ec, int number) {
    if (ec) return;
    if (stop.requested()) std::_Exit(static_cast<int>(base::exit_code::runtime));
    base::log(base::log_level::warn, "{} received: stopping after the current page (again to quit at once)",
              number == SIGINT ? "SIGINT" : "SIGTERM");
    stop.request(number == SIGINT ? "SIGINT" : "SIGTERM");
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  bool const show_progress = options.progress == progress_mode::always ||
                             (options.progress == progress_mode::auto_ && ::isatty(STDERR_FILENO) == 1);
  progress_meter progress(show_progress);
  crawl c(db, options, **client, stop, progress);

  std::optional<base::result<void>> outcome;
  net::co_spawn(io, c.run(), [&](std::exception_ptr e, base::result<void> r) {
    if (e) r = c.give_up(base::internal_error(e, "scan"));
    outcome = std::move(r);
    signals.cancel();
  });
  io.run();
  c.storage_thread.join();
  if (!outcome) return base::runtime_error("scan failed: the crawl ended without a result");
  if (!*outcome) return outcome->error();

  auto& summary = c.summary;
  summary.scan_id = *c.scan_id;
  if (auto info = db.scan(*c.scan_id); info && *info) {
    summary.users = (*info)->users;
    summary.pages = (*info)->pages;
  }
  if (summary.resumed) summary.licensed_users = count_licensed(db, *c.scan_id);
  auto const counters = c.counters();
  summary.requests = counters.requests;
  summary.throttled = counters.throttled;
  if (auto pruned = db.prune(summary.tenant_id, options.keep); !pruned)
    base::log(base::log_level::warn, "{}", pruned.error().message);
  else if (*pruned > 0)
    base::log(base::log_level::info, "removed {} old snapshots of tenant {} (keeping {})", *pruned, summary.tenant_id,
              options.keep);
  summary.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace scanner
