#include "scanner/crawl.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/detail/batch.hpp"
#include "scanner/detail/fetch_doors.hpp"
#include "scanner/detail/fetch_groups.hpp"
#include "scanner/detail/fetch_owners.hpp"
#include "scanner/detail/fetch_tenant.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/seen_ids.hpp"
#include "scanner/detail/users_chain.hpp"
#include "scanner/detail/users_plan.hpp"
#include "scanner/detail/users_shards.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <fmt/core.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <unistd.h>
#include <unordered_map>

namespace scanner {
namespace {

std::optional<std::int64_t> most_of(std::optional<std::int64_t> total) {
  if (!total) return std::nullopt;
  return most_users_for(*total);
}

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
  seen_ids seen;                        // every user id listed by this run
  std::set<std::string> stored_groups;  // every licensing group of the states this run stored
  bool copies = false;                  // the snapshot may hold a user twice before finish_scan
  bool recount = false;                 // summary.licensed_users must be read from the finished snapshot
  // --license-details, unless Graph refuses licenseDetails (derived then) or a resumed snapshot says otherwise.
  license_details_mode mode = options.mode;

  storage::scan_counters counters() const { return counters_since(before, client, batches); }

  base::error interrupted() const {
    if (!scan_id)
      return base::runtime_error(fmt::format("scan interrupted by {} before anything was stored", stop.reason()));
    return base::runtime_error(fmt::format("scan {} interrupted by {}; run `entra-audit scan --resume` to continue it",
                                           *scan_id, stop.reason()));
  }

  // The snapshot's listing is whole but its findings are not stored: resuming it audits it and completes it.
  base::error unaudited(const base::error& e) const {
    base::error out = e;
    out.message = fmt::format(
        "{}; scan {} is listed in full but not complete: once that is fixed, run "
        "`entra-audit scan --resume` to audit and complete it",
        e.message, *scan_id);
    return out;
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
      before = {.requests = resumable->requests, .throttled = resumable->throttled};
      users_before = resumable->users;
      summary.resumed = true;
      base::log(base::log_level::info, "resuming scan {} of tenant {} after {} pages ({} users)", resumable->scan_id,
                org.tenant_id, resumable->pages, resumable->users);
    } else {
      auto id = db.begin_scan({.tenant_id = org.tenant_id,
                               .license_details_mode = std::string(mode_name(mode)),
                               .tool_version = options.tool_version,
                               .graph_endpoint = client.graph_root()});
      if (!id) return id.error();
      scan_id = *id;
    }
    if (auto set = db.set_tenant(*scan_id, org); !set) return set.error();
    return resumable;
  }

  // Lists every user in one @odata.nextLink chain from start; a chain whose link Graph refuses starts over from
  // the first page, up to max_chain_listings listings in all.
  net::awaitable<base::result<chain_end>> list_one_chain(chain_context& ctx, chain_start start, chain_totals& totals) {
    constexpr int max_chain_listings = 3;
    for (int listing = 1;; ++listing) {
      auto most = start.most;
      auto crawling = crawl_users(ctx, std::move(start), totals);
      auto ended = co_await std::move(crawling);
      if (!ended || *ended != chain_end::link_expired) co_return ended;
      if (listing >= max_chain_listings)
        co_return base::runtime_error(fmt::format(
            "Graph refused the users listing's links in each of {} listings; the scan stops and the previous "
            "snapshot stays the latest — try again later",
            max_chain_listings));
      base::log(base::log_level::warn, "scan {}: listing the users again from the first page", *scan_id);
      totals.restarted = true;
      start = chain_start{.url = first_users_url(), .most = most};
    }
  }

  // Lists every user again in one chain from the first page, after (or instead of) a listing that cannot vouch
  // for every user; why, when not empty, is warned. The pages stored before (a sharded listing's, this run's or an
  // earlier run's) are stored again: storage keeps the newest copy of each user.
  net::awaitable<base::result<chain_end>> list_again_in_one_chain(chain_context& ctx, std::string_view why,
                                                                  bool stored_before, std::optional<std::int64_t> total,
                                                                  chain_totals& totals) {
    if (!why.empty()) base::log(base::log_level::warn, "{}: listing the users in one chain", why);
    if (stored_before || totals.users > 0) totals.relisted = true;
    totals.users = 0;
    totals.licensed_users = 0;
    auto crawling = list_one_chain(ctx, chain_start{.url = first_users_url(), .most = most_of(total)}, totals);
    co_return co_await std::move(crawling);
  }

  // Lists every user into the snapshot (docs/scanning.md, "Listing the users") as plan_users_listing decides: a
  // stored single-chain link goes on in one chain; counted shards (fresh or stored) must prove themselves against
  // the count; otherwise, and whenever the shards cannot vouch for every user (next_after_shards), one chain from
  // the first page.
  // cursor: the stored resume cursor, if any. counted: count_users' answer, when run() asked for it.
  using users_count = base::result<unless_stopped<user_count>>;
  net::awaitable<base::result<chain_end>> list_users(chain_context& ctx, std::string cursor,
                                                     std::optional<users_count> counted, chain_totals& totals) {
    stored_cursor stored = cursor.empty() ? stored_cursor::none : stored_cursor::chain_link;
    std::optional<base::result<shard_cursor>> decoded;
    if (shard_cursor::is_sharded(cursor)) {
      decoded = shard_cursor::decode(cursor);
      stored = *decoded ? stored_cursor::shards : stored_cursor::old_shards;
    }
    users_count_answer count{.asked = counted.has_value()};
    if (stored != stored_cursor::chain_link && counted) {
      if (!*counted) co_return counted->error();
      if (!**counted) co_return chain_end::stopped;
      count.users = (**counted)->users;
    }
    auto const plan = plan_users_listing(stored, count, options.shards);
    bool const stored_shards = stored == stored_cursor::shards || stored == stored_cursor::old_shards;
    std::optional<std::int64_t> total = count.users;
    if (plan.kind != users_plan_kind::resume_chain) totals.total_users = total;

    std::optional<shard_cursor> shards;
    switch (plan.kind) {
      case users_plan_kind::resume_chain: {
        auto crawling = list_one_chain(ctx, chain_start{.url = std::move(cursor), .resuming = true}, totals);
        co_return co_await std::move(crawling);
      }
      case users_plan_kind::one_chain_shards_unprovable: {
        auto crawling = list_again_in_one_chain(ctx,
                                                "Graph no longer counts the users (no @odata.count), so the "
                                                "stored shards cannot be proven complete",
                                                true, total, totals);
        co_return co_await std::move(crawling);
      }
      case users_plan_kind::one_chain_shards_unreadable: {
        auto crawling = list_again_in_one_chain(ctx,
                                                "the stored shards were written by an older version of "
                                                "entra-audit",
                                                true, total, totals);
        co_return co_await std::move(crawling);
      }
      case users_plan_kind::one_chain_uncounted:
        base::log(options.shards.automatic ? base::log_level::info : base::log_level::warn,
                  "Graph gives no @odata.count here (no advanced queries: ConsistencyLevel: eventual is ignored, as "
                  "in Azure AD B2C), so the users cannot be listed in shards: listing them in one chain, about one "
                  "request per {} users in a row",
                  users_page_size);
        [[fallthrough]];
      case users_plan_kind::one_chain: {
        auto crawling = list_again_in_one_chain(ctx, "", stored_shards, total, totals);
        co_return co_await std::move(crawling);
      }
      case users_plan_kind::resume_shards:
        shards = std::move(**decoded);
        break;
      case users_plan_kind::shards:
        shards = shard_cursor::fresh();
        break;
    }

    base::log(base::log_level::info, "listing {} users in {} shards, {} at a time", *total, shards->shards.size(),
              plan.chains);
    auto crawling = crawl_user_shards(ctx, *shards, plan.chains, totals);
    auto ended = co_await std::move(crawling);
    if (!ended) co_return ended.error();
    auto const verdict = *ended == shards_end::done ? shards->verdict(*total) : shards_verdict{};
    std::optional<users_recount> recounted;
    for (;;) {
      switch (next_after_shards(*ended, verdict, recounted)) {
        case after_shards::stopped:
          co_return chain_end::stopped;
        case after_shards::proven:
          co_return chain_end::done;
        case after_shards::count_lags:
          base::log(base::log_level::info,
                    "the shards listed {} users where the directory counted {} (its count "
                    "lags the directory): every shard listed what it holds",
                    verdict.listed, *total);
          co_return chain_end::done;
        case after_shards::recount: {
          auto recounting = count_users(client, stop);
          auto recount = co_await std::move(recounting);
          if (!recount) co_return recount.error();
          if (!*recount) co_return chain_end::stopped;
          recounted = users_recount{(*recount)->users};
          continue;
        }
        case after_shards::relist_refused: {
          auto again = list_again_in_one_chain(ctx, "", stored_shards, total, totals);
          co_return co_await std::move(again);
        }
        case after_shards::relist_unproven: {
          if (recounted && recounted->users) total = recounted->users;
          auto again = list_again_in_one_chain(ctx,
                                               fmt::format("the shards hold {} users but the directory counts {} "
                                                           "(users outside every prefix, or deleted meanwhile)",
                                                           verdict.listed, *total),
                                               stored_shards, total, totals);
          co_return co_await std::move(again);
        }
      }
    }
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

    if (mode == license_details_mode::fetch) {
      auto probing = probe_license_details(client, stop);
      auto probed = co_await std::move(probing);
      if (!probed) co_return probed.error();
      if (!*probed) co_return interrupted();
      if (!**probed) {
        base::log(base::log_level::warn,
                  "Graph refuses /users/{{id}}/licenseDetails to this application (403): "
                  "continuing with --license-details derived (the same rows, built from assignedLicenses and "
                  "subscribedSkus); grant LicenseAssignment.Read.All to fetch them");
        mode = license_details_mode::derived;
        summary.license_details_fallback = true;
      }
    }
    auto resumable = choose_snapshot(**org);
    if (!resumable) co_return give_up(resumable.error());
    if (*resumable && (*resumable)->license_details_mode != mode_name(mode)) {
      base::log(base::log_level::warn, "scan {} was started with --license-details {}: continuing it that way",
                *scan_id, (*resumable)->license_details_mode);
      mode =
          (*resumable)->license_details_mode == "fetch" ? license_details_mode::fetch : license_details_mode::derived;
    }

    batch_limits limits(options.concurrency, options.ru_per_10s);
    chain_context ctx{.db = db,
                      .storage_thread = storage_thread,
                      .client = client,
                      .stop = stop,
                      .progress = progress,
                      .scan_id = *scan_id,
                      .mode = mode,
                      .limits = limits,
                      .batches = batches,
                      .before = before,
                      .auditor = nullptr,
                      .seen = &seen,
                      .groups = &stored_groups};
    bool const chain_done = *resumable && (*resumable)->next_link.empty() && (*resumable)->pages > 0;
    std::string cursor = *resumable ? (*resumable)->next_link : std::string();
    // The count serves a fresh sharded listing or a sharded resume only.
    bool const wants_count =
        !chain_done && (shard_cursor::is_sharded(cursor) ||
                        (cursor.empty() && (options.shards.automatic || options.shards.chains > 0)));
    if (!wants_count) counted.reset();
    if (!facts) co_return give_up(facts.error());
    if (!*facts) co_return give_up(interrupted(), storage::scan_status::interrupted);
    if (auto written = db.write_tenant_facts(*scan_id, (*facts)->skus, (*facts)->subscriptions); !written)
      co_return give_up(written.error());
    // A resumed snapshot holds users stored before this run, which a streamed audit would not see.
    bool const streams = options.auditor != nullptr && mode == license_details_mode::derived && !*resumable;
    // Read side by side ahead of the listing: the licensing groups' names, optional (GroupMember.Read.All), stored
    // with the snapshot so that the audit names the groups of group_inherited findings as it makes them instead of
    // rewriting them afterwards (those this misses are read by id after the listing, docs/graph.md §17); and, for a
    // streamed audit, the subscription owners' principal names, so that findings citing a purchaser are not held
    // back until the purchaser's page (docs/graph.md §4.1).
    std::vector<std::string> sku_ids;
    for (const auto& sku : (*facts)->skus) sku_ids.push_back(sku.sku_id);
    auto owner_ids = streams ? subscription_owner_ids((*facts)->subscriptions) : std::vector<std::string>();
    auto reading_groups_ahead = fetch_licensing_groups(client, stop, std::move(sku_ids));
    auto reading_owners = fetch_owner_names(client, stop, std::move(owner_ids));
    auto [groups_ahead, owners] = co_await (std::move(reading_groups_ahead) && std::move(reading_owners));
    if (!groups_ahead || !owners) co_return give_up(interrupted(), storage::scan_status::interrupted);
    if (auto written = db.write_groups(*scan_id, *groups_ahead); !written) co_return give_up(written.error());
    if (streams && options.auditor->begin(db, *scan_id)) {
      ctx.auditor = options.auditor;
      ctx.auditor->name_owners_ahead(*owners);
    }
    summary.skus = static_cast<std::int64_t>((*facts)->skus.size());
    summary.subscriptions = static_cast<std::int64_t>((*facts)->subscriptions.size());

    chain_totals totals;
    totals.users_before = users_before;
    if (!chain_done) {
      auto listing = list_users(ctx, std::move(cursor), std::move(counted), totals);
      auto chain = co_await std::move(listing);
      progress.finish({.users = users_before + totals.users,
                       .pages = totals.pages,
                       .requests = counters().requests,
                       .throttled = counters().throttled,
                       .total_users = totals.total_users});
      if (!chain) co_return give_up(chain.error());
      if (*chain == chain_end::stopped) co_return give_up(interrupted(), storage::scan_status::interrupted);
    }
    summary.licensed_users = totals.licensed_users;
    summary.pages = totals.pages;
    summary.shards_split = totals.shards_split;
    summary.duplicate_users = totals.duplicate_users;
    summary.users_missing = batches.items_not_found;

    // The doors are optional reads, made once the listing is proven complete (a scan that fails never sends them):
    // whatever Graph answers, the scan goes on (docs/graph.md §15).
    auto reading_doors = fetch_doors(client, stop, options.connection.graph_endpoint);
    auto doors = co_await std::move(reading_doors);
    if (!doors) co_return give_up(interrupted(), storage::scan_status::interrupted);
    doors->insert(doors->end(), options.commerce_doors.begin(), options.commerce_doors.end());
    if (auto written = db.write_doors(*scan_id, *doors); !written) co_return give_up(written.error());

    // One uninterrupted derived listing that met no id twice stores each user once; a resume, a restarted or
    // repeated listing, an id listed twice, or fetch mode's retried batches may leave older copies to remove.
    // This run's licensed-user count and licensing groups are right unless users were stored twice or by an earlier
    // run.
    recount = summary.resumed || totals.restarted || totals.relisted || totals.duplicate_users > 0;
    copies = recount || mode == license_details_mode::fetch;

    // The names of the groups that assign the snapshot's licenses (docs/design.md §4.1, group_names): those read
    // ahead, and the others read by id now, once per group. The snapshot keeps the names of its own groups only:
    // those its pages met as they were stored, or, when that may not be the snapshot, those its stored states name
    // (reading every state back took about 45 ms of a 100,000-user first scan, under perf).
    std::vector<std::string> group_ids(stored_groups.begin(), stored_groups.end());
    if (recount) {
      auto stored = db.group_ids(*scan_id);
      if (!stored) co_return give_up(stored.error());
      group_ids = std::move(*stored);
    }
    std::unordered_map<std::string, std::string> named;
    for (auto& g : *groups_ahead) named.emplace(std::move(g.id), std::move(g.display_name));
    std::vector<storage::group_record> groups;
    std::vector<std::string> unnamed;
    for (auto& id : group_ids) {
      if (auto it = named.find(id); it != named.end()) groups.push_back({std::move(id), std::move(it->second)});
      else unnamed.push_back(std::move(id));
    }
    if (!unnamed.empty()) {
      auto reading_groups = fetch_group_names(client, stop, std::move(unnamed));
      auto read = co_await std::move(reading_groups);
      if (!read) co_return give_up(interrupted(), storage::scan_status::interrupted);
      groups.insert(groups.end(), std::make_move_iterator(read->begin()), std::make_move_iterator(read->end()));
    }
    if (auto written = db.write_groups(*scan_id, groups); !written) co_return give_up(written.error());

    // Each user stored once and all its findings stored, the snapshot may complete (storage invariant 3); a
    // failure before then leaves it for `scan --resume`, with nothing left to list but the audit.
    if (copies)
      if (auto removed = db.remove_older_copies(*scan_id); !removed) co_return give_up(removed.error());
    if (options.auditor != nullptr) {
      bool const whole = ctx.auditor == nullptr || copies;
      if (auto audited = options.auditor->complete(db, *scan_id, whole); !audited)
        co_return give_up(unaudited(audited.error()), storage::scan_status::interrupted);
    }
    if (auto finished =
            db.finish_scan(*scan_id, storage::scan_status::complete, counters(), {}, storage::snapshot_copies::none);
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
  if (c.recount) summary.licensed_users = count_licensed(db, *c.scan_id);
  if (summary.duplicate_users > 0)
    base::log(base::log_level::warn,
              "Graph listed {} user id(s) more than once during scan {}: each user is stored "
              "once, and audited once",
              summary.duplicate_users, summary.scan_id);
  if (summary.users_missing > 0)
    base::log(base::log_level::warn,
              "{} user(s) were deleted between the listing and their licenseDetails in scan "
              "{}: they are stored without service plans",
              summary.users_missing, summary.scan_id);
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
