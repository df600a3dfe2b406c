// storage/records.hpp — the plain records the scanner writes and audit/reports read (no logic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace storage {

// One door of a snapshot (docs/schema.md, table `doors`): a tenant setting that lets users acquire licenses on
// their own, as read during the scan (docs/graph.md §15).
struct door_record {
  std::string door;          // signup, email_verified_join, trials, office_store or self_service_purchase
  std::string product_id;    // self_service_purchase: the MSCommerce product id; empty for the tenant-wide doors
  std::string product_name;  // self_service_purchase: the product's name as the policy file gave it
  std::string state;         // open, closed or unknown
  std::string setting;       // the value as read (true, false, Enabled, Disabled, …); empty when unknown
  std::string source;        // where it was read (a Graph call or the policy file); empty when it could not be
  std::string note;          // when unknown: why, and the permission or flag that would show it
};

// One door as reports show it (audit::summarize_doors): the stored door, what it lets users do, how many of the
// snapshot's findings came through it, and how to close it.
struct door_summary {
  door_record door;
  std::string title;          // e.g. "Self-service sign-up for email-based subscriptions"
  std::string lets_users;     // what an open door lets users do
  std::int64_t findings = 0;  // the snapshot's findings that came through it
  std::string admin_center;   // where an administrator closes it
  std::string close_with;     // the exact command or Graph call that closes it
};

// GET /organization: the home tenant.
struct organization_record {
  std::string tenant_id;  // lower-case GUID
  std::string display_name;
};

// One servicePlanInfo of a SKU (or of a licenseDetails entry).
struct service_plan_record {
  std::string service_plan_id;  // lower-case GUID
  std::string service_plan_name;
  std::string provisioning_status;
  std::string applies_to;
  friend bool operator==(const service_plan_record&, const service_plan_record&) = default;
};

// GET /subscribedSkus item.
struct sku_record {
  std::string id;      // {accountId}_{skuId}
  std::string sku_id;  // lower-case GUID
  std::string sku_part_number;
  std::string account_id;
  std::string account_name;
  std::string applies_to;
  std::string capability_status;
  std::int64_t consumed_units = 0;
  std::int64_t prepaid_enabled = 0;
  std::int64_t prepaid_suspended = 0;
  std::int64_t prepaid_warning = 0;
  std::int64_t prepaid_locked_out = 0;
  std::vector<std::string> subscription_ids;
  std::vector<service_plan_record> service_plans;
  friend bool operator==(const sku_record&, const sku_record&) = default;
};

// GET /directory/subscriptions item (companySubscription).
struct subscription_record {
  std::string id;
  std::string commerce_subscription_id;
  std::string sku_id;  // lower-case GUID
  std::string sku_part_number;
  std::string status;
  std::optional<bool> is_trial;
  std::optional<std::int64_t> total_licenses;
  std::string created_date_time;
  std::string next_lifecycle_date_time;
  std::optional<std::string> owner_id;
  std::optional<std::string> owner_tenant_id;
  std::optional<std::string> owner_type;
  friend bool operator==(const subscription_record&, const subscription_record&) = default;
};

// GET /users item (docs/graph.md §1.1 select list). Absent or null values are nullopt / empty.
struct user_record {
  std::string id;  // lower-case GUID
  std::string user_principal_name;
  std::string display_name;
  std::string mail;
  std::string user_type;
  std::optional<bool> account_enabled;
  std::string usage_location;
  std::optional<bool> on_premises_sync_enabled;
  std::string department;
  std::string created_date_time;
  std::string creation_type;
};

// One assignedLicenses entry: the authoritative list of a user's SKUs.
struct assigned_license_record {
  std::string user_id;
  std::string sku_id;  // lower-case GUID
  std::vector<std::string> disabled_plans;
};

// One licenseAssignmentStates entry (two for the same SKU when direct and group-assigned).
struct license_state_record {
  std::string user_id;
  std::string sku_id;                            // lower-case GUID
  std::optional<std::string> assigned_by_group;  // nullopt = direct
  std::string state;
  std::string error;
  std::string last_updated_date_time;
  std::vector<std::string> disabled_plans;
};

// One service plan of one user's license, from licenseDetails (fetch) or derived (assignedLicenses + SKU plans).
struct license_plan_record {
  std::string user_id;
  std::string sku_id;
  std::string service_plan_id;
  std::string service_plan_name;
  std::string provisioning_status;
  bool enabled = true;
};

// What one GET /users page yields, written in one transaction with the link to the next page.
struct user_page {
  std::vector<user_record> users;
  std::vector<assigned_license_record> licenses;
  std::vector<license_state_record> states;
  std::vector<license_plan_record> plans;
};

enum class scan_status { running, complete, failed, interrupted };

// One snapshot's metadata (table scans).
struct scan_info {
  std::int64_t scan_id = 0;
  std::string tenant_id;
  std::string tenant_name;
  scan_status status = scan_status::running;
  std::string started_at;            // UTC ISO 8601
  std::string finished_at;           // empty while running
  std::string license_details_mode;  // derived | fetch
  std::string tool_version;
  std::string graph_endpoint;
  std::string next_link;  // the users chain's next page; empty when done or not started
  std::int64_t pages = 0;
  std::int64_t users = 0;
  std::int64_t requests = 0;
  std::int64_t throttled = 0;  // responses answered 429
  std::string error;           // one line, for failed scans
};

// One finding: the columns of the findings CSV (docs/design.md §4.1), denormalised so reports need no joins.
struct finding_record {
  std::string tenant_id;
  std::string user_id;
  std::string user_principal_name;
  std::string display_name;
  std::optional<bool> account_enabled;
  std::string user_type;
  std::string department;
  std::string sku_id;
  std::string sku_part_number;
  std::string product_name;
  std::string origin;
  std::string confidence;
  std::string evidence;    // ';'-separated tokens
  std::string assignment;  // direct | group | direct+group | unknown
  std::string group_ids;   // ';'-separated, sorted, de-duplicated (likewise the next four)
  std::string subscription_ids;
  std::string owner_ids;
  std::string owner_upns;
  std::string owner_tenant_ids;
  std::optional<bool> is_trial;
  std::string idp_outcome;  // empty unless --idp-managed-skus
  std::string recommended_action;
  std::string group_names{};  // display names of the groups in group_ids that could be read, ';'-separated, same order
};

// A group that assigns licenses (GET /groups/{id}): its display name, read once per scan (docs/graph.md §17).
struct group_record {
  std::string id;  // lower-case GUID
  std::string display_name;
};

// A user with everything audit needs about their licenses, read back from one snapshot.
struct user_licenses {
  user_record user;
  std::vector<assigned_license_record> licenses;
  std::vector<license_state_record> states;
};

}  // namespace storage
