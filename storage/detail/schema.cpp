#include "storage/detail/schema.hpp"

#include "storage/finding_row.hpp"

#include <fmt/format.h>

#include <array>
#include <cassert>
#include <vector>

namespace storage::schema {
namespace {

using sv = std::string_view;
constexpr affinity integer = affinity::integer;
constexpr affinity text = affinity::text;
constexpr nulls nullable = nulls::allowed;
constexpr nulls not_null = nulls::refused;
constexpr layout without_rowid = layout::without_rowid;
constexpr layout rowid = layout::rowid;

constexpr column scan_id_column{"scan_id", integer, "the snapshot this row belongs to (`scans.scan_id`)"};

template <std::size_t N, std::size_t M>
constexpr std::array<column, N + M> concat(const std::array<column, N>& a, const std::array<column, M>& b) {
  std::array<column, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
  return out;
}
template <std::size_t N, std::size_t M>
constexpr std::array<column, N + M> concat(const std::array<column, N>& a, const column (&b)[M]) {
  return concat(a, std::to_array(b));
}

// ---- scans: one row per snapshot, with the home tenant (GET /organization) ----
constexpr column scans_columns[] = {
    {"scan_id", integer, "the snapshot's id; a later snapshot has a larger id, and ids are never reused"},
    {"tenant_id", text, "home tenant id (lower-case GUID); empty until GET /organization was read"},
    {"tenant_name", text, "the tenant's display name"},
    {"status", text, "`running`, `complete`, `failed` or `interrupted`; readers use only `complete` snapshots",
     not_null, "status IN ('running', 'complete', 'failed', 'interrupted')"},
    {"started_at", text, "when the scan began, UTC ISO 8601 (`2026-11-23T09:30:00.000Z`)"},
    {"finished_at", text, "when the scan ended, UTC ISO 8601; empty while running"},
    {"license_details_mode", text, "`derived` (plans built from assignedLicenses + subscribedSkus) or `fetch`"},
    {"tool_version", text, "the entra-audit version that wrote the snapshot"},
    {"graph_endpoint", text, "the Microsoft Graph root the scan read (a national cloud or the emulator)"},
    {"next_link", text,
     "the resume cursor stored with the last page: the users listing's next page (`@odata.nextLink`), or, "
     "for a sharded listing (`scan --shards`), every shard's state (a text starting `entra-audit shards v`; "
     "docs/scanning.md); "
     "`--resume` continues there; empty when done or not started"},
    {"pages", integer, "user pages stored so far"},
    {"users", integer, "users stored (while running, a user stored twice counts twice; exact once finished)"},
    {"requests", integer, "Graph requests made (cumulative)"},
    {"throttled", integer, "responses answered 429 (cumulative)"},
    {"error", text, "one line saying why a `failed` scan failed; empty otherwise"},
};
constexpr sv scans_key[] = {"scan_id"};
constexpr sv scans_examples[] = {
    "SELECT scan_id, tenant_id, status, started_at, finished_at, users FROM scans ORDER BY scan_id DESC;",
};

// ---- tenant facts: SKUs (GET /subscribedSkus) and subscriptions (GET /directory/subscriptions) ----
// From one night to the next a tenant's SKUs differ in a few counters (consumed_units) and its subscriptions hardly
// at all, while a SKU's service plans (most of these rows) stay the same for months. So each distinct SKU row,
// service-plan list and subscription row is stored once (`sku_versions`, `sku_plan_lists`, `subscription_versions`,
// found again by content), and a snapshot holds a list of which it saw (`snapshot_skus`, `snapshot_subscriptions`:
// two integers a row). Unlike user versions these carry no range: there are tens of them, not millions, and a list
// per snapshot makes a resumed scan's replacement of its facts a plain delete and insert.
constexpr column sku_fields[] = {
    {"id", text, "subscribedSku id, `{accountId}_{skuId}`"},
    {"sku_id", text, "the SKU's GUID (lower-case), as in `user_licenses.sku_id`"},
    {"sku_part_number", text, "e.g. `ENTERPRISEPACK`"},
    {"account_id", text, "the account (tenant) holding the SKU"},
    {"account_name", text, "that account's name"},
    {"applies_to", text, "`User` or `Company`"},
    {"capability_status", text, "`Enabled`, `Warning`, `Suspended`, `Deleted` or `LockedOut`"},
    {"consumed_units", integer, "licenses assigned"},
    {"prepaid_enabled", integer, "prepaidUnits.enabled"},
    {"prepaid_suspended", integer, "prepaidUnits.suspended"},
    {"prepaid_warning", integer, "prepaidUnits.warning"},
    {"prepaid_locked_out", integer, "prepaidUnits.lockedOut"},
};
constexpr column plan_fields[] = {
    {"service_plan_id", text, "the plan's GUID (lower-case)"},
    {"service_plan_name", text, "e.g. `EXCHANGE_S_ENTERPRISE`"},
    {"provisioning_status", text, "e.g. `Success`, `Disabled`, `PendingProvisioning`"},
    {"applies_to", text, "`User` or `Company`"},
};
constexpr column subscription_fields[] = {
    {"id", text, "companySubscription id"},
    {"commerce_subscription_id", text, "the commerce system's id"},
    {"sku_id", text, "the SKU's GUID (lower-case)"},
    {"sku_part_number", text, "e.g. `ENTERPRISEPACK`"},
    {"status", text, "`Enabled`, `Expired`, `Suspended`, `Warning`, `LockedOut`, `Deleted`"},
    {"is_trial", integer, "1 for a trial, 0 if not; NULL when Graph left it out", nullable, "is_trial IN (0, 1)"},
    {"total_licenses", integer, "seats bought; NULL when Graph left it out", nullable},
    {"created_date_time", text, "when it was created (as Graph wrote it)"},
    {"next_lifecycle_date_time", text, "next renewal or expiry (as Graph wrote it)"},
    {"owner_id", text, "the owner's object id (a user for self-service purchases); NULL when absent", nullable},
    {"owner_tenant_id", text, "the owner's tenant (a partner's when partner-created); NULL when absent", nullable},
    {"owner_type", text, "e.g. `User`; NULL when absent", nullable},
};
constexpr column fact_hash_column{
    "content_hash", integer,
    "FNV-1a (64-bit) fingerprint of the row's content: a scan looks up what it read by it, then compares the content"};
constexpr column plan_list_id_column{"list_id", integer,
                                     "the list's id (shared by every SKU version whose service plans are the same)"};

constexpr column sku_plan_lists_columns[] = {plan_list_id_column, fact_hash_column};
constexpr sv list_key[] = {"list_id"};
constexpr auto sku_plan_list_items_columns =
    concat(std::array<column, 2>{column{"list_id", integer, "the list (`sku_plan_lists.list_id`)"},
                                 column{"position", integer, "0-based position in Graph's servicePlans list"}},
           plan_fields);
constexpr sv sku_plan_list_items_key[] = {"list_id", "position"};
constexpr auto sku_versions_columns = concat(
    concat(std::array<column, 2>{column{"version_id", integer, "the SKU version's id"}, fact_hash_column}, sku_fields),
    std::array<column, 1>{column{"plan_list_id", integer, "its service plans (`sku_plan_lists.list_id`)"}});
constexpr column sku_version_subscription_ids_columns[] = {
    {"version_id", integer, "the SKU version (`sku_versions.version_id`)"},
    {"position", integer, "0-based position in Graph's subscriptionIds list"},
    {"subscription_id", text,
     "one subscriptionIds entry (docs/graph.md §3: whether it equals `subscriptions.id` is unconfirmed)"},
};
constexpr sv sku_version_subscription_ids_key[] = {"version_id", "position"};
constexpr auto subscription_versions_columns =
    concat(std::array<column, 2>{column{"version_id", integer, "the subscription version's id"}, fact_hash_column},
           subscription_fields);
constexpr column snapshot_skus_columns[] = {
    scan_id_column, {"version_id", integer, "a SKU version the snapshot read (`sku_versions.version_id`)"}};
constexpr column snapshot_subscriptions_columns[] = {
    scan_id_column,
    {"version_id", integer, "a subscription version the snapshot read (`subscription_versions.version_id`)"}};
constexpr sv snapshot_facts_key[] = {"scan_id", "version_id"};

// The views with the columns of the tables of schema version 5 (one copy per snapshot).
constexpr auto skus_columns = concat(std::array<column, 1>{scan_id_column}, sku_fields);
constexpr sv skus_examples[] = {
    "SELECT sku_part_number, consumed_units, prepaid_enabled FROM latest_skus ORDER BY sku_part_number;",
};
constexpr auto sku_service_plans_columns =
    concat(std::array<column, 4>{scan_id_column, column{"sku_key", text, "the SKU's `skus.id`"},
                                 column{"position", integer, "0-based position in Graph's servicePlans list"},
                                 column{"sku_id", text, "the SKU's GUID (repeated for joins with `user_licenses`)"}},
           plan_fields);
constexpr sv sku_service_plans_examples[] = {
    "SELECT p.service_plan_name FROM latest_skus AS s JOIN sku_service_plans AS p\n"
    "  ON p.scan_id = s.scan_id AND p.sku_key = s.id WHERE s.sku_part_number = 'ENTERPRISEPACK';",
};
constexpr column sku_subscription_ids_columns[] = {
    scan_id_column,
    {"sku_key", text, "the SKU's `skus.id`"},
    {"position", integer, "0-based position in Graph's subscriptionIds list"},
    {"sku_id", text, "the SKU's GUID (repeated for joins)"},
    {"subscription_id", text,
     "one subscriptionIds entry (docs/graph.md §3: whether it equals `subscriptions.id` is "
     "unconfirmed)"},
};
constexpr sv sku_subscription_ids_examples[] = {
    "SELECT sku_id, count(*) FROM sku_subscription_ids WHERE scan_id = 7 GROUP BY sku_id;",
};
constexpr auto subscriptions_columns = concat(std::array<column, 1>{scan_id_column}, subscription_fields);
constexpr sv subscriptions_examples[] = {
    "SELECT sku_part_number, owner_type, owner_id, is_trial FROM latest_subscriptions\n"
    "  WHERE lower(owner_type) = 'user' AND status <> 'Deleted';",
};

// ---- users, user_licenses, license_states: each user's version, kept across the snapshots it did not change in ----
// A nightly scan stores again only the users that changed (docs/schema.md "Versions"): a user's row, licenses and
// states form one version, valid from the snapshot that first stored it (first_scan) until the first later snapshot
// of the tenant that no longer holds it (until_scan). Versions are keyed by arrival (version_id, a rowid), not by
// user id: a B-tree keyed by a random GUID would rewrite about one page per user at every commit (measured: 25 s of
// CPU per 300,000 users), while appending touches only the last pages. Readers sort by id when they need it.
constexpr column version_id_column{"version_id", integer,
                                   "the version's id (arrival order; never shared by two versions alive together)"};
constexpr column first_scan_column{"first_scan", integer, "the first snapshot (`scans.scan_id`) that holds it"};
constexpr column until_scan_column{"until_scan", integer,
                                   "the first later snapshot of the tenant that no longer holds it (changed or gone); "
                                   "NULL while it is current",
                                   nullable};
constexpr column content_hash_column{
    "content_hash", integer,
    "FNV-1a (64-bit) fingerprint of the version's content: a scan compares it with what Graph returns now"};

constexpr column user_fields[] = {
    {"id", text, "Entra object id (lower-case GUID)"},
    {"user_principal_name", text, "sign-in name"},
    {"display_name", text, "display name (free text: may hold any Unicode)"},
    {"mail", text, "primary SMTP address; empty when none"},
    {"user_type", text, "`Member` or `Guest`"},
    {"account_enabled", integer, "1 if the account can sign in, 0 if not; NULL when unknown", nullable,
     "account_enabled IN (0, 1)"},
    {"usage_location", text, "two-letter country code; empty when unset"},
    {"on_premises_sync_enabled", integer, "1 when synced from on-premises AD; NULL when never synced", nullable,
     "on_premises_sync_enabled IN (0, 1)"},
    {"department", text, "department (free text)"},
    {"created_date_time", text, "when the account was created (as Graph wrote it)"},
    {"creation_type", text, "e.g. `EmailVerified` for self-service sign-up users; empty when null"},
};

constexpr auto user_versions_columns =
    concat(std::array<column, 5>{version_id_column,
                                 {"tenant_id", text, "the tenant (`scans.tenant_id`) whose snapshots hold it"},
                                 first_scan_column,
                                 until_scan_column,
                                 content_hash_column},
           user_fields);
constexpr sv version_key[] = {"version_id"};
constexpr sv user_versions_examples[] = {
    "SELECT id, first_scan, until_scan FROM user_versions WHERE user_principal_name = 'ada@contoso.com'\n"
    "  ORDER BY first_scan;",
};

constexpr column user_license_versions_columns[] = {
    {"version_id", integer, "the user's version (`user_versions.version_id`)"},
    {"sku_id", text, "the licensed SKU's GUID (lower-case)"},
    {"user_id", text, "the user's id (repeated for convenience)"},
    {"disabled_plans", text,
     "service plan GUIDs disabled for this user, as a JSON array of strings "
     "(use `json_each`)"},
};
constexpr sv user_license_versions_key[] = {"version_id", "sku_id"};

constexpr column license_state_versions_columns[] = {
    {"version_id", integer, "the user's version (`user_versions.version_id`)"},
    {"position", integer, "0-based position in the user's licenseAssignmentStates list"},
    {"user_id", text, "the user's id (repeated for convenience)"},
    {"sku_id", text, "the SKU's GUID (lower-case)"},
    {"assigned_by_group", text, "the group that assigns it; NULL for a direct assignment", nullable},
    {"state", text, "`Active`, `ActiveWithError`, `Disabled` or `Error`"},
    {"error", text, "e.g. `CountViolation`, `None`"},
    {"last_updated_date_time", text, "as Graph wrote it"},
    {"disabled_plans", text, "disabled service plan GUIDs, as a JSON array of strings"},
};
constexpr sv license_state_versions_key[] = {"version_id", "position"};

constexpr column user_seen_columns[] = {
    scan_id_column,
    {"version_id", integer, "a version stored by an earlier snapshot that this one met again unchanged"},
};
constexpr sv user_seen_key[] = {"scan_id", "version_id"};

// The views with the columns of schema version 3's tables: a snapshot's rows, as SQL users and reports read them.
// A user version belongs to a complete snapshot when the snapshot lies in its range; to one still being written
// (or failed) when that snapshot stored it or met it again (user_seen).
#define ENTRA_HELD_BY_SNAPSHOT                                                                                 \
  "ON v.tenant_id = s.tenant_id AND v.first_scan <= s.scan_id AND (v.until_scan IS NULL OR v.until_scan > "    \
  "s.scan_id) AND (s.status = 'complete' OR v.first_scan = s.scan_id OR EXISTS (SELECT 1 FROM user_seen AS n " \
  "WHERE n.scan_id = s.scan_id AND n.version_id = v.version_id))"

constexpr auto users_columns = concat(
    std::array<column, 2>{
        scan_id_column,
        {"seq", integer,
         "the row's version (`user_versions.version_id`): one per user in a snapshot; rows in seq order are in the "
         "order first stored"}},
    user_fields);
constexpr sv users_examples[] = {
    "SELECT user_principal_name, display_name FROM latest_users WHERE creation_type = 'EmailVerified';",
};

constexpr column user_licenses_columns[] = {
    scan_id_column,
    {"user_seq", integer, "the user's `users.seq` (join on `scan_id` and `user_seq`)"},
    user_license_versions_columns[1],
    user_license_versions_columns[2],
    user_license_versions_columns[3],
};
constexpr sv user_licenses_examples[] = {
    "SELECT u.user_principal_name, s.sku_part_number FROM latest_user_licenses AS l\n"
    "  JOIN users AS u ON u.scan_id = l.scan_id AND u.seq = l.user_seq\n"
    "  LEFT JOIN skus AS s ON s.scan_id = l.scan_id AND s.sku_id = l.sku_id;",
    "SELECT l.user_id, d.value AS disabled_plan FROM latest_user_licenses AS l, json_each(l.disabled_plans) AS d;",
};

constexpr column license_states_columns[] = {
    scan_id_column,
    {"user_seq", integer, "the user's `users.seq`"},
    license_state_versions_columns[1],
    license_state_versions_columns[2],
    license_state_versions_columns[3],
    license_state_versions_columns[4],
    license_state_versions_columns[5],
    license_state_versions_columns[6],
    license_state_versions_columns[7],
    license_state_versions_columns[8],
};
constexpr sv license_states_examples[] = {
    "SELECT user_id, sku_id, assigned_by_group FROM latest_license_states WHERE assigned_by_group IS NOT NULL;",
};

// ---- license_plans: service plans of each user's licenses (licenseDetails, `fetch` mode) ----
constexpr column license_plans_columns[] = {
    scan_id_column,
    {"seq", integer, "arrival order within the snapshot; for a (user, SKU, plan) stored twice the larger wins"},
    {"user_id", text, "the user's `users.id`"},
    {"sku_id", text, "the SKU's GUID (lower-case)"},
    {"service_plan_id", text, "the plan's GUID (lower-case)"},
    {"service_plan_name", text, "e.g. `EXCHANGE_S_ENTERPRISE`"},
    {"provisioning_status", text, "e.g. `Success`, `Disabled`"},
    {"enabled", integer, "1 unless the plan is disabled for this user", not_null, "enabled IN (0, 1)"},
};
constexpr sv license_plans_key[] = {"scan_id", "seq"};
constexpr sv license_plans_examples[] = {
    "SELECT user_id, sku_id, service_plan_name, enabled FROM license_plans WHERE scan_id = 7\n"
    "  ORDER BY user_id, sku_id, service_plan_id;",
};

// ---- findings: docs/design.md §4, one row per (user, SKU) whose origin is not `organization` ----
// The columns after scan_id (or the version's columns) are declared once, with the finding_record member each
// holds, in finding_row.hpp. A snapshot being written keeps its findings in pending_findings; when it completes they
// are folded into finding_versions, where a finding that did not change since the last snapshot is not stored again.
template <std::size_t Lead>
constexpr auto with_finding_fields(const std::array<column, Lead>& lead) {
  std::array<column, Lead + finding_field_count> out{};
  for (std::size_t i = 0; i < Lead; ++i) out[i] = lead[i];
  for (std::size_t i = 0; i < finding_field_count; ++i) out[Lead + i] = finding_fields[i].column;
  return out;
}
constexpr auto findings_columns = with_finding_fields(std::array<column, 1>{scan_id_column});
constexpr auto finding_versions_columns = with_finding_fields(std::array<column, 5>{
    version_id_column,
    {"snapshot_tenant_id", text,
     "the tenant (`scans.tenant_id`) whose snapshots hold it (the finding's own tenant_id, as entra-audit writes it)"},
    first_scan_column,
    until_scan_column,
    content_hash_column});
constexpr sv findings_examples[] = {
    "SELECT origin, count(*) FROM latest_findings GROUP BY origin ORDER BY 2 DESC;",
    "SELECT user_principal_name, sku_part_number, origin FROM latest_findings\n"
    "  WHERE idp_outcome LIKE 'removal_refused%' ORDER BY user_principal_name;",
};
constexpr sv finding_versions_examples[] = {
    "SELECT user_principal_name, sku_part_number, origin, first_scan, until_scan FROM finding_versions\n"
    "  WHERE origin = 'self_service_trial' ORDER BY first_scan;",
};

// ---- doors: the tenant settings that let users acquire licenses on their own (docs/graph.md §15) ----
constexpr column doors_columns[] = {
    scan_id_column,
    {"door", text, "`signup`, `email_verified_join`, `trials`, `office_store` or `self_service_purchase`", not_null,
     "door IN ('signup', 'email_verified_join', 'trials', 'office_store', 'self_service_purchase')"},
    {"product_id", text, "`self_service_purchase`: the MSCommerce product id (e.g. `CFQ7TTC0H9MP`); empty otherwise"},
    {"product_name", text, "`self_service_purchase`: the product's name as the policy file gave it"},
    {"state", text, "`open`, `closed` or `unknown` (a read that was refused or is unavailable: never `closed`)",
     not_null, "state IN ('open', 'closed', 'unknown')"},
    {"setting", text,
     "the value as read: `true`/`false` (Graph), `Enabled`/`Disabled`/`OnlyTrialsWithoutPaymentMethod` (policy "
     "file); empty when unknown"},
    {"source", text, "where it was read: the Graph call, or the `--commerce-policies` file; empty when unread"},
    {"note", text, "when `unknown`: why, and the permission or flag that would show it"},
};
constexpr sv doors_key[] = {"scan_id", "door", "product_id"};
constexpr sv doors_examples[] = {
    "SELECT s.tenant_id, d.door, d.product_id, d.state FROM latest_scans AS s\n"
    "  JOIN doors AS d ON d.scan_id = s.scan_id WHERE d.state = 'open';",
};

// ---- groups: GET /groups/{id} for the groups that assign licenses (docs/graph.md §17) ----
constexpr column groups_columns[] = {
    scan_id_column,
    {"id", text, "the group's object id (lower-case GUID), as in `license_states.assigned_by_group`"},
    {"display_name", text, "the group's display name"},
};
constexpr sv groups_key[] = {"scan_id", "id"};
constexpr sv groups_examples[] = {
    "SELECT g.display_name, count(*) FROM latest_license_states AS l\n"
    "  JOIN groups AS g ON g.scan_id = l.scan_id AND g.id = lower(l.assigned_by_group) GROUP BY g.display_name;",
};

// ---- idp_events: what the identity provider reported (entra-audit ingest; docs/design.md §8) ----
constexpr column idp_events_columns[] = {
    {"event_id", text,
     "the event's identity: the Okta LogEvent `uuid`, else `request-id:` and Graph's request-id, else `line:` and "
     "a hash of the line; ingesting the same export again adds nothing"},
    {"source", text, "the format it was read from", not_null,
     "source IN ('okta_log', 'okta_csv', 'okta_text', 'generic_csv')"},
    {"observed_at", text, "when the identity provider pushed, UTC ISO 8601 (`2026-11-23T09:30:00.000Z`)"},
    {"outcome", text, "`failure` or `success` (the push went through)", not_null, "outcome IN ('failure', 'success')"},
    {"user_id", text, "the Entra user id from the `/users/{id}/microsoft.graph.assignLicense` URL; empty if none"},
    {"user_principal_name", text, "the user's principal name when the event names no id (the target's alternateId)"},
    {"http_status", integer, "Graph's HTTP status of a failure (403, 400, ...); NULL when the event gives none",
     nullable},
    {"error_code", text, "Graph's error code, e.g. `Authorization_RequestDenied`"},
    {"error_message", text, "Graph's error message"},
    {"request_id", text, "Graph's request-id, for Microsoft support"},
    {"event_type", text, "the Okta event type (`application.provision.user.push_profile`, ...); empty for others"},
    {"ingested_from", text, "the file (or the Okta org URL) it was read from"},
    {"ingested_at", text, "when entra-audit stored it, UTC ISO 8601"},
};
constexpr sv idp_events_key[] = {"event_id"};
constexpr sv idp_events_examples[] = {
    "SELECT observed_at, user_id, user_principal_name, http_status, error_code FROM idp_events\n"
    "  WHERE outcome = 'failure' ORDER BY observed_at DESC LIMIT 20;",
};

constexpr table all_tables[] = {
    {"scans",
     "One row per snapshot (scan) and its home tenant. A snapshot is visible to the `latest_*` views and "
     "to reports only once `complete`.",
     scans_columns, scans_key, rowid, key_reuse::never, scans_examples},
    {"sku_plan_lists",
     "Each distinct list of a SKU's service plans (subscribedSku.servicePlans), stored once; its plans are in "
     "`sku_plan_list_items`.",
     sku_plan_lists_columns,
     list_key,
     rowid,
     key_reuse::allowed,
     {}},
    {"sku_plan_list_items",
     "The service plans of each list, in Graph's order.",
     sku_plan_list_items_columns,
     sku_plan_list_items_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"sku_versions",
     "Each distinct SKU row (GET /subscribedSkus) stored once, with its plans' list (its subscription ids are in "
     "`sku_version_subscription_ids`); a "
     "snapshot's SKUs are those `snapshot_skus` names. Read them through the `skus` view.",
     sku_versions_columns,
     version_key,
     rowid,
     key_reuse::allowed,
     {}},
    {"sku_version_subscription_ids",
     "The subscription ids of each SKU version (subscribedSku.subscriptionIds).",
     sku_version_subscription_ids_columns,
     sku_version_subscription_ids_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"subscription_versions",
     "Each distinct commerce subscription row (GET /directory/subscriptions) stored once; a snapshot's are those "
     "`snapshot_subscriptions` names. Read them through the `subscriptions` view.",
     subscription_versions_columns,
     version_key,
     rowid,
     key_reuse::allowed,
     {}},
    {"snapshot_skus",
     "The SKU versions each snapshot read (one per SKU id).",
     snapshot_skus_columns,
     snapshot_facts_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"snapshot_subscriptions",
     "The subscription versions each snapshot read (one per subscription id).",
     snapshot_subscriptions_columns,
     snapshot_facts_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"user_versions",
     "Every version of every user (GET /users): a user's row is stored again only when it, its licenses or "
     "its states changed. A complete snapshot holds the versions of its tenant with first_scan <= scan_id < "
     "until_scan (until_scan NULL: still current); read them through the `users` view.",
     user_versions_columns, version_key, rowid, key_reuse::allowed, user_versions_examples},
    {"user_license_versions",
     "Each user version's licenses (user.assignedLicenses: the authoritative list); read them through the "
     "`user_licenses` view.",
     user_license_versions_columns,
     user_license_versions_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"license_state_versions",
     "How each user version's licenses are assigned (user.licenseAssignmentStates: direct or by group; Graph "
     "can leave a license out of this list); read them through the `license_states` view.",
     license_state_versions_columns,
     license_state_versions_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"user_seen",
     "The current versions that a snapshot still being written met again unchanged, so that `scan --resume` "
     "knows them; emptied when the snapshot completes (its range then says it all).",
     user_seen_columns,
     user_seen_key,
     without_rowid,
     key_reuse::allowed,
     {}},
    {"license_plans",
     "The service plans of each user's licenses from GET /users/{id}/licenseDetails, in `fetch` "
     "snapshots only. A `derived` snapshot stores no rows here: its plans are `user_licenses` joined "
     "with `sku_service_plans` (enabled unless in `disabled_plans`), which is what entra-audit "
     "reads back.",
     license_plans_columns, license_plans_key, without_rowid, key_reuse::allowed, license_plans_examples},
    {"pending_findings",
     "The findings of a snapshot still being written (or failed), with the columns of the findings CSV "
     "(docs/design.md §4.1); when it completes they move to `finding_versions`. A scan that audits as it lists "
     "stages here only the findings that differ from the tenant's current versions (those it met unchanged are "
     "marked in its memory), and a tenant's first snapshot (no current versions to compare with) stages none: it "
     "writes its findings into `finding_versions` with an empty range. A running or failed snapshot's rows here "
     "are not all its findings.",
     findings_columns,
     {},
     rowid,
     key_reuse::allowed,
     {}},
    {"finding_versions",
     "The audit's findings of complete snapshots: one row per (user, SKU) whose origin is not `organization`, "
     "stored once for the run of snapshots in which it did not change (first_scan <= scan_id < until_scan); "
     "read them through the `findings` view. A row with first_scan = until_scan belongs to no snapshot: it is a "
     "finding of the running (or failed) snapshot first_scan whose tenant had no current versions, made its own "
     "(until_scan NULL) when it completes and deleted with it when it is pruned. A tenant's only snapshot writes "
     "its findings with until_scan NULL at once: no complete snapshot holds them before it completes, and if it never "
     "does, the tenant's next snapshot holds those it finds again and ends the others.",
     finding_versions_columns, version_key, rowid, key_reuse::allowed, finding_versions_examples},
    {"doors",
     "The tenant settings that let users acquire licenses on their own, as the scan read them "
     "(authorizationPolicy, appsAndServices, and each product's self-service purchase policy from "
     "`--commerce-policies`); none for snapshots taken before schema version 3.",
     doors_columns, doors_key, without_rowid, key_reuse::allowed, doors_examples},
    {"idp_events",
     "What the identity provider reported when it pushed licenses (`entra-audit ingest`): each failure of "
     "Graph's assignLicense and each push that went through. Not part of any snapshot: `report --calibration` "
     "compares each event with the newest complete snapshot taken before it (docs/design.md §8).",
     idp_events_columns, idp_events_key, without_rowid, key_reuse::allowed, idp_events_examples},
    {"groups",
     "The display names of the groups that assign the snapshot's licenses, read once per scan (GET /groups by SKU "
     "before the listing, GET /groups/{id} for those it missed; GroupMember.Read.All); none when that permission is "
     "missing, and none for snapshots taken before schema version 4.",
     groups_columns, groups_key, without_rowid, key_reuse::allowed, groups_examples},
    // Views with the columns of schema version 5's tables: every snapshot's SKUs and subscriptions.
    {"skus",
     "The tenant's SKUs in each snapshot (GET /subscribedSkus; a view over `sku_versions`).",
     skus_columns,
     {},
     rowid,
     key_reuse::allowed,
     skus_examples,
     "SELECT m.scan_id, %REST% FROM snapshot_skus AS m JOIN sku_versions AS x ON x.version_id = m.version_id",
     1,
     "x",
     6},
    {"sku_service_plans",
     "The service plans of each SKU in each snapshot (subscribedSku.servicePlans; a view over "
     "`sku_plan_list_items`).",
     sku_service_plans_columns,
     {},
     rowid,
     key_reuse::allowed,
     sku_service_plans_examples,
     "SELECT m.scan_id, x.id, p.position, x.sku_id, p.service_plan_id, p.service_plan_name, p.provisioning_status, "
     "p.applies_to FROM snapshot_skus AS m JOIN sku_versions AS x ON x.version_id = m.version_id JOIN "
     "sku_plan_list_items AS p ON p.list_id = x.plan_list_id",
     0,
     {},
     6},
    {"sku_subscription_ids",
     "The subscriptions of each SKU in each snapshot (subscribedSku.subscriptionIds; a view over "
     "`sku_version_subscription_ids`).",
     sku_subscription_ids_columns,
     {},
     rowid,
     key_reuse::allowed,
     sku_subscription_ids_examples,
     "SELECT m.scan_id, x.id, i.position, x.sku_id, i.subscription_id FROM snapshot_skus AS m JOIN sku_versions AS "
     "x ON x.version_id = m.version_id JOIN sku_version_subscription_ids AS i ON i.version_id = x.version_id",
     0,
     {},
     6},
    {"subscriptions",
     "The tenant's commerce subscriptions with their owners in each snapshot (GET /directory/subscriptions; a view "
     "over `subscription_versions`).",
     subscriptions_columns,
     {},
     rowid,
     key_reuse::allowed,
     subscriptions_examples,
     "SELECT m.scan_id, %REST% FROM snapshot_subscriptions AS m JOIN subscription_versions AS x ON x.version_id = "
     "m.version_id",
     1,
     "x",
     6},
    // Views with the columns of schema version 3's tables: every snapshot's rows, as they were stored then.
    {"users",
     "Every user of each snapshot (a view over `user_versions`).",
     users_columns,
     {},
     rowid,
     key_reuse::allowed,
     users_examples,
     "SELECT s.scan_id, v.version_id, %REST% FROM scans AS s JOIN user_versions AS v " ENTRA_HELD_BY_SNAPSHOT,
     2,
     "v"},
    {"user_licenses",
     "Each user's licenses in each snapshot (user.assignedLicenses: the authoritative list; a view over "
     "`user_license_versions`).",
     user_licenses_columns,
     {},
     rowid,
     key_reuse::allowed,
     user_licenses_examples,
     "SELECT s.scan_id, v.version_id, %REST% FROM scans AS s JOIN user_versions AS v " ENTRA_HELD_BY_SNAPSHOT
     " JOIN user_license_versions AS x ON x.version_id = v.version_id",
     2,
     "x"},
    {"license_states",
     "How each license is assigned in each snapshot (user.licenseAssignmentStates: direct or by group; Graph "
     "can leave a license out of this list; a view over `license_state_versions`).",
     license_states_columns,
     {},
     rowid,
     key_reuse::allowed,
     license_states_examples,
     "SELECT s.scan_id, v.version_id, %REST% FROM scans AS s JOIN user_versions AS v " ENTRA_HELD_BY_SNAPSHOT
     " JOIN license_state_versions AS x ON x.version_id = v.version_id",
     2,
     "x"},
    {"findings",
     "The audit's findings of each snapshot: one row per (user, SKU) whose origin is not `organization`, with the "
     "columns of the findings CSV (docs/design.md §4.1; a view over `finding_versions` and `pending_findings`). "
     "A running or failed snapshot shows only its rows in `pending_findings`, which are not all its findings.",
     findings_columns,
     {},
     rowid,
     key_reuse::allowed,
     findings_examples,
     "SELECT s.scan_id, %REST% FROM scans AS s JOIN finding_versions AS f ON f.snapshot_tenant_id = s.tenant_id AND "
     "f.first_scan <= s.scan_id AND (f.until_scan IS NULL OR f.until_scan > s.scan_id) WHERE s.status = 'complete' "
     "UNION ALL SELECT * FROM pending_findings",
     1,
     "f"},
};
#undef ENTRA_HELD_BY_SNAPSHOT

constexpr index all_indexes[] = {
    {"finding_versions_by_upn", "finding_versions", "snapshot_tenant_id, user_principal_name",
     "reports read a snapshot's findings sorted by upn, SKU part number and SKU id (BINARY: byte order) from it, "
     "SQLite sorting only each user's few rows by SKU; only the findings that changed are inserted into it"},
    {"sku_plan_lists_by_hash", "sku_plan_lists", "content_hash",
     "a scan looks up each SKU's plans by fingerprint to store a list only once"},
    {"sku_versions_by_hash", "sku_versions", "content_hash",
     "a scan looks up each SKU it read by fingerprint to store a row only once"},
    {"subscription_versions_by_hash", "subscription_versions", "content_hash",
     "a scan looks up each subscription it read by fingerprint to store a row only once"},
};

constexpr sv latest_scans_examples[] = {"SELECT tenant_id, scan_id, finished_at FROM latest_scans;"};
constexpr sv latest_users_examples[] = {"SELECT count(*) FROM latest_users WHERE account_enabled = 0;"};
constexpr sv latest_user_licenses_examples[] = {
    "SELECT sku_id, count(*) AS users FROM latest_user_licenses GROUP BY sku_id ORDER BY users DESC;"};
constexpr sv latest_license_plans_examples[] = {
    "SELECT service_plan_name, sum(enabled) AS enabled, count(*) AS assigned FROM latest_license_plans\n"
    "  GROUP BY service_plan_name ORDER BY assigned DESC;"};
constexpr sv latest_findings_examples[] = {
    "SELECT user_principal_name, sku_part_number, origin, idp_outcome FROM latest_findings\n"
    "  WHERE tenant_id = '00000000-0000-0000-0000-000000000001';"};

constexpr view all_views[] = {
    // Complete snapshots only (invariant 2 in database.hpp).
    {"latest_scans",
     "The newest complete snapshot of each tenant. Running, failed and interrupted scans never "
     "appear here, so a failed scan never hides the last good one.",
     "SELECT s.* FROM scans AS s WHERE s.status = 'complete' AND s.scan_id = (SELECT max(n.scan_id) FROM scans "
     "AS n WHERE n.tenant_id = s.tenant_id AND n.status = 'complete')",
     latest_scans_examples},
    {"latest_users", "`users` of each tenant's newest complete snapshot, with its `tenant_id`.",
     "SELECT l.tenant_id, u.* FROM latest_scans AS l JOIN users AS u ON u.scan_id = l.scan_id", latest_users_examples},
    {"latest_user_licenses", "`user_licenses` of each tenant's newest complete snapshot, with its `tenant_id`.",
     "SELECT l.tenant_id, x.* FROM latest_scans AS l JOIN user_licenses AS x ON x.scan_id = l.scan_id",
     latest_user_licenses_examples},
    {"latest_license_states",
     "`license_states` of each tenant's newest complete snapshot, with its `tenant_id`.",
     "SELECT l.tenant_id, x.* FROM latest_scans AS l JOIN license_states AS x ON x.scan_id = l.scan_id",
     {}},
    {"latest_license_plans",
     "The service plans of every license in each tenant's newest complete snapshot: the "
     "stored `license_plans` of a `fetch` snapshot, or for a `derived` one each license's "
     "SKU plans, disabled when listed in its `disabled_plans` (what entra-audit reads back).",
     "SELECT l.tenant_id, x.scan_id, x.user_id, x.sku_id, x.service_plan_id, x.service_plan_name, "
     "x.provisioning_status, x.enabled FROM latest_scans AS l JOIN license_plans AS x ON x.scan_id = l.scan_id "
     "WHERE l.license_details_mode <> 'derived' "
     "UNION ALL "
     "SELECT l.tenant_id, u.scan_id, u.user_id, u.sku_id, p.service_plan_id, p.service_plan_name, "
     "CASE WHEN d.value IS NULL THEN p.provisioning_status ELSE 'Disabled' END, d.value IS NULL "
     "FROM latest_scans AS l JOIN user_licenses AS u ON u.scan_id = l.scan_id "
     "JOIN (SELECT scan_id, sku_id, service_plan_id, min(service_plan_name) AS service_plan_name, "
     "min(provisioning_status) AS provisioning_status FROM sku_service_plans "
     "GROUP BY scan_id, sku_id, service_plan_id) AS p ON p.scan_id = u.scan_id AND p.sku_id = u.sku_id "
     "LEFT JOIN json_each(u.disabled_plans) AS d ON d.value = p.service_plan_id "
     "WHERE l.license_details_mode = 'derived'",
     latest_license_plans_examples},
    {"latest_skus",
     "`skus` of each tenant's newest complete snapshot, with its `tenant_id`.",
     "SELECT l.tenant_id, x.* FROM latest_scans AS l JOIN skus AS x ON x.scan_id = l.scan_id",
     {}},
    {"latest_subscriptions",
     "`subscriptions` of each tenant's newest complete snapshot, with its `tenant_id`.",
     "SELECT l.tenant_id, x.* FROM latest_scans AS l JOIN subscriptions AS x ON x.scan_id = l.scan_id",
     {}},
    {"latest_findings", "`findings` of each tenant's newest complete snapshot, in report order.",
     "SELECT x.* FROM latest_scans AS l JOIN findings AS x ON x.scan_id = l.scan_id ORDER BY x.tenant_id, "
     "x.user_principal_name, x.sku_part_number, x.sku_id",
     latest_findings_examples},
};

std::string_view sql_type(affinity a) { return a == affinity::integer ? "INTEGER" : "TEXT"; }

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

std::span<const table> tables() { return all_tables; }
std::span<const index> indexes() { return all_indexes; }
std::span<const view> views() { return all_views; }

const table& table_named(std::string_view name) {
  for (const auto& t : all_tables)
    if (t.name == name) return t;
  assert(false && "table_named: no such table declared in schema.cpp");
  return all_tables[0];
}

std::string create_table_sql(const table& t) {
  if (!t.view_select.empty()) {
    std::vector<std::string_view> names;
    std::string rest;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      names.push_back(t.columns[i].name);
      if (i >= t.view_lead) rest += fmt::format("{}{}.{}", rest.empty() ? "" : ", ", t.view_alias, t.columns[i].name);
    }
    std::string select(t.view_select);
    if (auto at = select.find("%REST%"); at != std::string::npos) select.replace(at, 6, rest);
    return fmt::format("CREATE VIEW {} ({}) AS {}", t.name, join(names), select);
  }
  std::string sql = fmt::format("CREATE TABLE {} (\n", t.name);
  const bool inline_key = t.keys == key_reuse::never && t.primary_key.size() == 1;
  for (const auto& c : t.columns) {
    sql += fmt::format("  {} {}", c.name, sql_type(c.type));
    if (inline_key && c.name == t.primary_key[0]) sql += " PRIMARY KEY AUTOINCREMENT";
    if (c.null == nulls::refused) sql += " NOT NULL";
    if (!c.check.empty()) sql += fmt::format(" CHECK ({})", c.check);
    sql += ",\n";
  }
  if (t.name != "scans" && t.columns[0].name == "scan_id")
    sql += "  FOREIGN KEY (scan_id) REFERENCES scans (scan_id) ON DELETE CASCADE,\n";
  if (!t.primary_key.empty() && !inline_key) sql += fmt::format("  PRIMARY KEY ({}),\n", join(t.primary_key));
  sql.erase(sql.size() - 2);  // the last ",\n"
  sql += t.rows == layout::without_rowid ? "\n) STRICT, WITHOUT ROWID" : "\n) STRICT";
  return sql;
}

std::string create_index_sql(const index& i) {
  return fmt::format("CREATE INDEX {} ON {} ({})", i.name, i.table, i.columns);
}

std::string create_view_sql(const view& v) { return fmt::format("CREATE VIEW {} AS {}", v.name, v.select); }

std::string insert_sql(const table& t, on_conflict conflict) {
  std::string names;
  std::string params;
  int n = 0;
  for (const auto& c : t.columns) {
    if (n > 0) {
      names += ", ";
      params += ", ";
    }
    names += c.name;
    params += fmt::format("?{}", ++n);
  }
  return fmt::format("INSERT {}INTO {} ({}) VALUES ({})", conflict == on_conflict::replace ? "OR REPLACE " : "", t.name,
                     names, params);
}

std::string select_sql(const table& t) {
  std::string names;
  for (const auto& c : t.columns) {
    if (!names.empty()) names += ", ";
    names += c.name;
  }
  return fmt::format("SELECT {} FROM {}", names, t.name);
}

}  // namespace storage::schema
