// storage/database.hpp — the SQLite file of entra-audit: snapshots, facts, findings (schema in docs/schema.md).
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace storage {

enum class open_mode { read_write, read_only };

// What a new snapshot starts with.
struct scan_start {
  std::string tenant_id;  // may be empty until /organization is read; set_tenant() fills it
  std::string license_details_mode;
  std::string tool_version;
  std::string graph_endpoint;
};

// Counters a scan reports as it goes (stored with each page and at the end).
struct scan_counters {
  std::int64_t requests = 0;
  std::int64_t throttled = 0;
};

// Invariants of a snapshot, kept here and relied on elsewhere (code that depends on one says "(invariant N)"):
//
// 1. Lifecycle. begin_scan() makes a snapshot `running`. Only a `running` or `interrupted` snapshot is written
//    (set_tenant, write_tenant_facts, write_user_page, write_license_plans, finish_scan); a page written to an
//    `interrupted` one (`scan --resume`) makes it `running` again. finish_scan() ends it `complete`, `failed` or
//    `interrupted`. `complete` and `failed` are final: nothing writes such a snapshot's facts again (its findings
//    may be replaced by a re-audit).
// 2. Readers see only `complete` snapshots: the latest_* views, latest_complete_scan() and the reports read no
//    other, so a running or failed scan never hides the tenant's last complete one. scans(), scan() and
//    resumable_scan() show the others' metadata (the last for `--resume` only), never as findings.
// 3. A `complete` snapshot holds each user once, with all its findings. The writer stores them while the snapshot
//    is still `running` (remove_older_copies(), then the audit's findings), and only then does finish_scan() mark
//    it complete, so a process killed or failing in between leaves a snapshot readers never see and `scan
//    --resume` completes. finish_scan() may also delete copies and add last findings in its own transaction.
// 4. A user_page's licenses and states come grouped by user in page order: the rows of one user are adjacent, and
//    the groups follow page.users (users without any are skipped). The Graph page parser builds pages so;
//    write_user_page() and the streamed audit walk a page forward once on that account, and each falls back to a
//    map of the page's ids (slower, same result) for a page that breaks it, never to a wrong owner.

// --- what the identity provider observed (`entra-audit ingest`, `report --calibration`; docs/design.md §8) ---

// One push of a user's licenses by the identity provider, as its log reported it.
struct idp_event_record {
  std::string event_id;     // Okta's uuid, else "request-id:<Graph request-id>", else "line:<hash of the line>"
  std::string source;       // okta_log, okta_csv, okta_text or generic_csv
  std::string observed_at;  // UTC ISO 8601, 2026-11-23T09:30:00.000Z
  std::string outcome;      // failure or success
  std::string user_id;      // lower-case GUID from the assignLicense URL; empty when the event names none
  std::string user_principal_name{};  // the target's alternateId when no id was named
  std::optional<int> http_status{};   // a failure's HTTP status, when the event gives it
  std::string error_code{};           // Graph's error code
  std::string error_message{};        // Graph's error message
  std::string request_id{};           // Graph's request-id
  std::string event_type{};           // Okta's eventType
  std::string ingested_from{};        // the file or Okta org it came from
};

// What database::add_idp_events did with a batch of events.
struct idp_events_added {
  std::int64_t added = 0;           // new events
  std::int64_t already_stored = 0;  // events whose event_id was stored before (the same export ingested again)
};

// Stores one finding for the streaming database::replace_findings; callable only while its produce runs.
using finding_sink = std::function<base::result<void>(const finding_record&)>;

// One open database. Not thread-safe: one connection per thread or process (SQLite WAL lets readers run
// beside a writer). Every mutating call is atomic: it commits whole or not at all.
// Whether a snapshot's writer may have stored a user or plan row twice (a resumed or restarted listing, a retried
// batch): finish_scan then removes the older copies.
enum class snapshot_copies { possible, none };

class database {
 public:
  // Opens (creating with mode 0600 and migrating forward when read_write) the file at path.
  static base::result<database> open(const std::string& path, open_mode mode = open_mode::read_write);

  database(database&&) noexcept;
  database& operator=(database&&) noexcept;
  ~database();

  // --- writing a snapshot (scanner) ---

  // Starts a snapshot in state 'running' and returns its scan_id (invariant 1).
  base::result<std::int64_t> begin_scan(const scan_start& start);
  // Records the home tenant of a running snapshot.
  base::result<void> set_tenant(std::int64_t scan_id, const organization_record& org);
  // Stores the tenant's SKUs and subscriptions for the snapshot (replacing any stored for it) in one transaction.
  base::result<void> write_tenant_facts(std::int64_t scan_id, std::span<const sku_record> skus,
                                        std::span<const subscription_record> subscriptions);
  // Stores one page of users and the link to the next page in one transaction; a user stored again (a retried
  // page) replaces the earlier copy, never duplicates it. A `derived` snapshot does not store page.plans
  // (for_each_license_plan derives them); every license and state must belong to a user of the page.
  // counters are the scan's cumulative totals; licenses and states grouped by user are walked fastest
  // (invariant 4). findings (the audit streamed beside a crawl) are added to the
  // snapshot's findings in the same transaction; whoever streams them replaces them should the page turn out
  // to be a copy. Those the tenant's current versions hold unchanged are only marked in this connection's memory
  // (docs/schema.md "Versions"): the snapshot must complete through this connection, or be audited whole.
  base::result<void> write_user_page(std::int64_t scan_id, const user_page& page, std::string_view next_link,
                                     const scan_counters& counters, std::span<const finding_record> findings = {});
  // Adds license-detail rows (fetch mode) in one transaction; a row stored again replaces the earlier one.
  base::result<void> write_license_plans(std::int64_t scan_id, std::span<const license_plan_record> plans);
  // Deletes every row of a running (or interrupted) snapshot that a later copy replaced, leaving it running: each
  // user is then stored once, ready for an audit of the whole snapshot before it completes (invariant 3).
  base::result<void> remove_older_copies(std::int64_t scan_id);
  // Ends a snapshot: complete, failed (with a one-line error) or interrupted; only complete ones reach readers
  // (invariants 1 to 3).
  // Unless the writer says no row can have been stored twice (copies = none), it first deletes every row that a
  // later copy replaced (a sort of the snapshot's users). findings (the last of a streamed audit) are added in
  // the same transaction, so a complete snapshot is never seen without them.
  base::result<void> finish_scan(std::int64_t scan_id, scan_status status, const scan_counters& counters,
                                 std::string_view error = {}, snapshot_copies copies = snapshot_copies::possible,
                                 std::span<const finding_record> findings = {});
  // Removes the tenant's complete snapshots beyond the newest keep (>= 1), and its unfinished ones older than
  // its newest complete one, with all their rows; returns how many snapshots went.
  base::result<int> prune(std::string_view tenant_id, int keep);

  // --- reading ---

  // The newest complete snapshot (of the tenant, when given), if any (invariant 2).
  base::result<std::optional<scan_info>> latest_complete_scan(std::string_view tenant_id = {});
  // The newest interrupted or running (killed) snapshot of the tenant newer than its newest complete one, if any.
  base::result<std::optional<scan_info>> resumable_scan(std::string_view tenant_id);
  // One snapshot by id, if it exists.
  base::result<std::optional<scan_info>> scan(std::int64_t scan_id);
  // Every snapshot, newest first (of the tenant, when given).
  base::result<std::vector<scan_info>> scans(std::string_view tenant_id = {});
  // The snapshot's SKUs and subscriptions.
  base::result<std::vector<sku_record>> skus(std::int64_t scan_id);
  base::result<std::vector<subscription_record>> subscriptions(std::int64_t scan_id);
  // Calls fn for every user of the snapshot with their licenses and states, in user id order, streaming.
  base::result<void> for_each_user(std::int64_t scan_id, const std::function<void(const user_licenses&)>& fn);
  // Like for_each_user, in the order Graph delivered the users when the snapshot is complete (its rows are then
  // read in key order, without sorting: the fastest way through a snapshot); in id order otherwise.
  base::result<void> for_each_user_as_stored(std::int64_t scan_id, const std::function<void(const user_licenses&)>& fn);
  // The user principal names of the given user ids in the snapshot (ids not found are absent).
  base::result<std::vector<std::pair<std::string, std::string>>> user_principal_names(
      std::int64_t scan_id, std::span<const std::string> user_ids);
  // Every license-plan row of the snapshot, ordered by (user, sku, plan), streaming: stored rows for `fetch`,
  // rows derived from licenses and SKU plans for `derived`.
  base::result<void> for_each_license_plan(std::int64_t scan_id,
                                           const std::function<void(const license_plan_record&)>& fn);

  // --- findings (audit writes, reports read) ---

  // Replaces the snapshot's findings with these, in one transaction.
  base::result<void> replace_findings(std::int64_t scan_id, std::span<const finding_record> findings);
  // Replaces the snapshot's findings with those produce() emits, in one transaction, holding none of them in
  // memory; produce may call for_each_user / user_principal_names on this database while it emits; the first
  // error (of emit or of produce) aborts (rolls back, previous findings intact) and is returned. The write lock
  // is held while produce runs: other writers wait (up to the busy timeout), readers do not.
  base::result<void> replace_findings(std::int64_t scan_id,
                                      const std::function<base::result<void>(const finding_sink& emit)>& produce);
  // Adds findings to the snapshot's (keeping those stored), in one transaction.
  base::result<void> add_findings(std::int64_t scan_id, std::span<const finding_record> findings);
  // Lets fix rewrite the columns that name owners and groups (held_cell::remade: owner_upns, recommended_action,
  // group_names) of every finding of the snapshot that names owners or groups (owner_ids or group_ids not empty), in
  // one transaction: how a streamed audit names owners met after their findings, and groups read after the listing.
  base::result<void> update_owner_findings(std::int64_t scan_id, const std::function<void(finding_record&)>& fix);
  // Calls fn for every finding of the snapshot, sorted as the CSV requires (upn, sku part number, sku id; bytes).
  base::result<void> for_each_finding(std::int64_t scan_id, const std::function<void(const finding_record&)>& fn);

  // Replaces the doors stored with a running (or interrupted) snapshot by these.
  base::result<void> write_doors(std::int64_t scan_id, std::span<const door_record> doors);
  // The snapshot's doors, ordered by door then product id; none for a snapshot taken before they were read.
  base::result<std::vector<door_record>> doors(std::int64_t scan_id);
  // True when any door stored with the snapshot is open (what `scan --fail-on door-open` decides on).
  base::result<bool> any_door_open(std::int64_t scan_id);

  // The ids of the groups that assign the snapshot's licenses (license states' assigned_by_group), lower-case, sorted.
  base::result<std::vector<std::string>> group_ids(std::int64_t scan_id);
  // Replaces the group names stored with a running (or interrupted) snapshot by these.
  base::result<void> write_groups(std::int64_t scan_id, std::span<const group_record> groups);
  // The group names stored with the snapshot, by id; none when they could not be read or predate schema 4.
  base::result<std::vector<group_record>> groups(std::int64_t scan_id);
  // --- the identity provider's events (not part of any snapshot; docs/design.md §8) ---

  // Stores the events whose event_id is not stored yet, in one transaction; stored ones are left as they are.
  base::result<idp_events_added> add_idp_events(std::span<const idp_event_record> events);
  // Calls fn for every stored event, oldest first (observed_at, then event_id).
  base::result<void> for_each_idp_event(const std::function<void(const idp_event_record&)>& fn);

  // The file this database was opened from.
  const std::string& path() const;

 private:
  struct impl;
  explicit database(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

// Names a scan status as stored ("running", "complete", "failed", "interrupted").
std::string_view to_string(scan_status s);

}  // namespace storage
