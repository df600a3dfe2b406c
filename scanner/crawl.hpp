// scanner/crawl.hpp — `entra-audit scan`: crawl one tenant (organization, SKUs, subscriptions, users) into a
// snapshot.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/ru_pacer.hpp"
#include "scanner/detail/shard_plan.hpp"
#include "scanner/graph_client.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace scanner {

// derived: plan rows built from assignedLicenses + subscribedSkus (no extra requests);
// fetch: GET /users/{id}/licenseDetails through $batch for every licensed user.
enum class license_details_mode { derived, fetch };

// auto_: progress on stderr only when it is a terminal.
enum class progress_mode { auto_, always, never };

// The audit of the snapshot (app adapts audit::streamed_audit and audit::run_audit to it): begin() runs once the
// snapshot's tenant facts are stored, findings_of() for each users page as it arrives, both on the io thread, which
// owns db at begin(); the findings a page yields are stored in the page's transaction. complete() runs after the
// last page, with each user stored once and the snapshot still running (storage invariant 3).
class page_auditor {
 public:
  virtual ~page_auditor() = default;
  // Prepares to audit the snapshot from its stored facts; false when it cannot (it is then audited whole later).
  virtual bool begin(storage::database& db, std::int64_t scan_id) = 0;
  // The principal names of subscription owners (id, userPrincipalName; empty: Graph has no such user) the scan read
  // ahead of the listing, after begin(): findings citing them need not wait for their pages. complete() sets right
  // those the listing then meets with another name or never meets.
  virtual void name_owners_ahead(std::span<const std::pair<std::string, std::string>> owners) = 0;
  // The findings of the page's users.
  virtual std::vector<storage::finding_record> findings_of(const storage::user_page& page) = 0;
  // Stores the snapshot's findings in full before it is marked complete: the pages' findings and those still held
  // back, or, when whole (users were not each met once by findings_of: a resume, a relisting, fetch mode), an audit
  // of the whole stored snapshot. An error leaves the snapshot unfinished.
  virtual base::result<void> complete(storage::database& db, std::int64_t scan_id, bool whole) = 0;
};

// Every member has an initializer, so that callers' designated initializers name only what they set.
struct scan_options {
  connection_options connection{};
  credentials creds{};
  license_details_mode mode = license_details_mode::derived;
  unsigned concurrency = 8;  // $batch requests in flight at most (fetch mode)
  shards_setting shards{};   // the users listing: one chain, or shards paged at once (--shards)
  // Fetch mode: the RU per 10 s the pacer starts from before Graph's headers correct it. The tenant's size class
  // (docs/graph.md §8) is not known when the batches start, and only an L tenant (> 500 users) has enough licensed
  // users to outlast the full bucket Graph starts with: S and M tenants fit in it whatever the pace, so L's
  // 8,000 is the start that costs nothing where it is wrong and wastes nothing where it is right.
  double ru_per_10s = documented_ru_large;
  bool resume = false;  // continue the tenant's interrupted snapshot from its stored nextLink
  int keep = 30;        // complete snapshots of the tenant kept after a successful scan
  progress_mode progress = progress_mode::auto_;
  std::string tool_version{};
  // The self-service purchase door of each product, from `--commerce-policies` (read before the crawl), stored
  // with the doors Graph shows.
  std::vector<storage::door_record> commerce_doors{};
  // The snapshot's audit (app wires it in): streamed beside the crawl in derived mode on a new snapshot, else run
  // whole; either way its findings are stored before the snapshot completes. None: the snapshot has no findings.
  class page_auditor* auditor = nullptr;
};

// What one scan did, for the one-line summary the app prints.
struct scan_summary {
  std::int64_t scan_id = 0;
  std::string tenant_id, tenant_name;
  std::int64_t users = 0, licensed_users = 0, skus = 0, subscriptions = 0, pages = 0, requests = 0, throttled = 0;
  double elapsed_s = 0;
  bool resumed = false;
  std::int64_t shards_split = 0;     // shards of the users listing too big for one chain, listed as longer prefixes
  std::int64_t duplicate_users = 0;  // user ids Graph listed more than once (stored once)
  std::int64_t users_missing = 0;    // fetch mode: users deleted between the listing and their licenseDetails
  bool license_details_fallback = false;  // fetch mode refused (403): the snapshot was taken derived
};

// Crawls one tenant into db as a new (or resumed) snapshot marked complete; on failure marks it failed (or
// interrupted on SIGINT/SIGTERM) and returns the one-line error; never leaves a partial snapshot visible as
// complete. Prunes to keep snapshots after success.
base::result<scan_summary> run_scan(storage::database& db, const scan_options& options);

}  // namespace scanner
