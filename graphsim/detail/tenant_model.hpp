// graphsim/detail/tenant_model.hpp — private to the tenant's .cpp files: the tenant's directory (SKUs, subscriptions,
// groups), a user as generated from (seed, index), and the helpers the JSON writers, the ground truth and
// assignLicense share. Not part of the server contract.
#pragma once

#include "graphsim/detail/people.hpp"
#include "graphsim/detail/tenant.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace graphsim::detail {

// Most SKUs one user can hold: every SKU of the tenant at most once.
inline constexpr std::size_t max_user_licenses = 16;
// Most disabled plans one assignment carries (generated or accepted from assignLicense).
inline constexpr std::size_t max_disabled_plans = 12;

struct service_plan {
  std::string id;  // lower-case GUID
  std::string name;
  std::string_view applies_to;  // "User" or "Company"
};

// A SKU of this tenant: what /subscribedSkus serves and how generated users receive it.
struct sku_def {
  std::string sku_id;       // lower-case GUID
  std::string part_number;  // served skuPartNumber (the catalogue's String_Id, or the tenant's own name)
  bool in_subscribed_skus = true;
  std::string_view capability_status = "Enabled";
  std::vector<service_plan> plans;
  std::vector<std::size_t> subscriptions;  // indices into impl::subscriptions
  std::vector<std::size_t> groups;         // groups that assign it (indices into impl::groups)
  // Generation of ordinary users: chance per mille of holding it, and of its assignment being group-only or
  // direct+group.
  unsigned per_mille = 0;
  unsigned group_only_per_mille = 0;
  unsigned direct_and_group_per_mille = 0;
  std::uint64_t consumed_units = 0;  // kept equal to the users holding it (assignLicense updates it)
  std::uint64_t prepaid_enabled = 0, prepaid_suspended = 0, prepaid_warning = 0, prepaid_locked_out = 0;
};

// One /directory/subscriptions item, with owner fields as served (nullopt = JSON null).
struct subscription {
  std::string id;
  std::string commerce_id;
  std::size_t sku = 0;  // index into impl::skus
  std::string status = "Enabled";
  bool is_trial = false;
  std::uint64_t total_licenses = 0;
  std::optional<std::string> owner_id, owner_tenant_id, owner_type;
  std::string created, next_lifecycle;
  unsigned seat_share_percent = 100;  // share of the SKU's consumed units it covers (sizes totalLicenses)
};

enum class state_kind : std::uint8_t { active, active_with_error, disabled, error };
enum class error_kind : std::uint8_t {
  none_text,  // "None", what real tenants send on success
  null,       // null, what the docs say on success
  count_violation,
  mutually_exclusive_violation,
  dependency_violation,
  prohibited_in_usage_location_violation,
  other,
};

// One licenseAssignmentStates entry.
struct assignment_state {
  std::int16_t group = -1;  // index into impl::groups; -1 = direct
  state_kind state = state_kind::active;
  error_kind error = error_kind::none_text;
  std::int64_t updated = 0;  // lastUpdatedDateTime, seconds since 1970
};

// One assignedLicenses entry and its licenseAssignmentStates entries (none when Graph "forgets" them, #9636).
struct user_license {
  std::uint8_t sku = 0;  // index into impl::skus
  std::uint8_t disabled_count = 0;
  std::array<std::uint16_t, max_disabled_plans> disabled{};  // indices into the SKU's plans
  std::uint8_t state_count = 0;
  std::array<assignment_state, 2> states{};  // direct first, then group
};

struct license_set {
  std::uint8_t count = 0;
  std::array<user_license, max_user_licenses> items{};
  std::span<const user_license> view() const { return {items.data(), count}; }
};

// How a user's principal name (a guest's: home mail) is spelt; all but standard only with skewed_upns.
enum class upn_style : std::uint8_t {
  standard,         // given.surname<index>
  employee_number,  // u<employee number>, seven digits, a bijection of the index
  leading_symbol,   // <symbol>given.surname<index>, symbol one of . ~ ' - _ ! ^ #
  digits_only,      // <index>
  capitalised,      // Given.surname<index>
};

// A user's attributes, a pure function of (seed, index); licenses are separate (they may have been changed).
struct user_profile {
  std::uint64_t index = 0;
  const people::culture* culture = nullptr;
  const people::name_part* given = nullptr;
  const people::name_part* surname = nullptr;
  std::string_view hostile_display;  // replaces the composed displayName when set
  std::string_view department;       // data() == nullptr: null
  std::string_view job_title;        // data() == nullptr: null
  std::string_view office;           // data() == nullptr: null
  std::string_view guest_domain;     // guests only
  bool guest = false;
  bool enabled = true;
  bool email_verified = false;  // creationType EmailVerified (a viral sign-up)
  bool synced = false;          // onPremisesSyncEnabled true (else null)
  bool has_mail = true;
  bool has_usage_location = true;
  bool has_phone = false;
  bool signed_in = true;
  std::int64_t created = 0;  // createdDateTime, seconds since 1970; 0 = null
  upn_style style = upn_style::standard;
  char upn_symbol = 0;  // the leading symbol of upn_style::leading_symbol
};

struct prop_cache;  // user_json.cpp: the last $select resolved to property codes
std::unique_ptr<prop_cache> make_prop_cache();

struct tenant_state {
  tenant_config config;
  std::string tenant_id, tenant_name, domain, client_id, client_secret;
  std::vector<sku_def> skus;
  std::vector<subscription> subscriptions;
  std::vector<std::string> groups;                         // group object ids (lower-case GUIDs)
  std::vector<std::string> group_names;                    // their display names (GET /groups/{id})
  std::unordered_map<std::string, std::size_t> sku_by_id;  // lower-case skuId → index
  std::array<std::uint64_t, 256> upn_first_char{};         // users per lower-cased first UPN byte
  // The users of each lower-cased first UPN byte, in index order: a startswith shard reads its users without
  // generating everyone else's (4 bytes a user).
  std::array<std::vector<std::uint32_t>, 256> users_by_upn_initial;
  // The lower-cased names of each first byte's users, sorted, made on the first longer prefix asked of that
  // byte (and made again after deletions): a shard of longer prefixes is a binary search, not a pass that makes
  // every name of its first character.
  mutable std::array<std::vector<std::pair<std::string, std::uint32_t>>, 256> upn_sorted;
  mutable std::mutex upn_sorted_lock;
  std::uint64_t licensed = 0;
  std::vector<std::uint64_t> scheduled_deletions;  // sorted; deleted once deletions_done
  bool deletions_done = false;
  std::uint64_t night = 0;                   // nights advanced (advance_night)
  std::vector<std::uint64_t> churn_deleted;  // sorted: users the nights deleted
  // Trials the nights started, as (night it ends, user): a trial lasts a few nights, then the license goes.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> trial_ends;
  std::unordered_map<std::uint64_t, license_set> changed_licenses;  // the only per-user state: assignLicense's
  std::uint64_t version = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> change_log;  // (version, user index)
  std::unique_ptr<prop_cache> select_cache;

  tenant_state();
  ~tenant_state();
};

// Fills identity, SKUs, subscriptions and groups (tenant_setup.cpp); sizes come later from size_subscriptions.
void build_directory(tenant_state& t);
// Adds user i (generated, i == config.users - 1 or below) to the per-initial indexes and the license counts.
void add_to_directory(tenant_state& t, std::uint64_t i);
// Takes user i out of the per-initial indexes and the license counts (a deletion), logging the change.
void remove_from_directory(tenant_state& t, std::uint64_t i);
// Sets totalLicenses, prepaidUnits and capabilityStatus from the consumed units counted over all users.
void size_subscriptions(tenant_state& t);

// The generated attributes of user i (user_gen.cpp).
user_profile make_profile(const tenant_state& t, std::uint64_t i);
// The generated licenses of user i, ignoring changes.
void make_licenses(const tenant_state& t, const user_profile& p, license_set& out);
// The licenses user i holds now (changes by assignLicense included).
void current_licenses(const tenant_state& t, const user_profile& p, license_set& out);
// Appends user i's userPrincipalName.
void append_upn(const tenant_state& t, const user_profile& p, std::string& out);
// Appends the local part a user's principal name starts with (a guest's: of the home mail).
void append_local_part(const user_profile& p, std::string& out);
// The indices below limit a principal name's local part (a guest's: home mail's) may name, read from its
// trailing digits (an index, or an employee number). The caller checks that user's name is the one given.
std::vector<std::uint64_t> indices_in_local_part(std::string_view local, std::uint64_t limit);
// The users to delete during a scan: n distinct indices of the upper half of the tenant, above the
// hand-placed users (so purchasers and special cases stay), drawn from the seed; sorted.
std::vector<std::uint64_t> schedule_deletions(const tenant_config& config, std::uint64_t n);
// Appends user i's displayName.
void append_display_name(const user_profile& p, std::string& out);
// Appends user i's mail (call only when has_mail).
void append_mail(const tenant_state& t, const user_profile& p, std::string& out);
// User i's object id.
std::string user_id(const tenant_state& t, std::uint64_t i);
// Writes user i's id into out (36 characters).
void format_user_id(const tenant_state& t, std::uint64_t i, char* out);
// The index whose id is key, if key is the id of a user of this tenant.
std::optional<std::uint64_t> index_of_user_id(const tenant_state& t, std::string_view key);

// Writes seconds since 1970 as Graph writes a DateTimeOffset ("2024-03-05T07:08:09Z"); 20 characters.
void format_time(std::int64_t seconds, char* out);
std::string format_time(std::int64_t seconds);
// The text of a licenseAssignmentStates state / error (error null has no text: empty view).
std::string_view to_text(state_kind s);
std::string_view to_text(error_kind e);

// The origin of one license by docs/design.md §3 (truth.cpp), with every rule that matched.
enum class origin : std::uint8_t {
  group_inherited,
  partner_managed,
  self_service_trial,
  self_service_purchase,
  mixed_ownership,
  self_service_signup,
  unattributed,
  organization,
};
std::string_view to_text(origin o);

struct classification {
  origin result = origin::organization;
  std::vector<std::string_view> evidence;  // tokens of every rule that matched, in rule order
};
// Classifies the license l of user p on the data as served now.
classification classify(const tenant_state& t, const user_profile& p, const user_license& l);

// The SKU's subscriptions that are not Deleted (the only ones docs/design.md §3.1's rules consider).
std::vector<const subscription*> live_subscriptions(const tenant_state& t, std::size_t sku);

}  // namespace graphsim::detail

namespace graphsim {
// The tenant's private state is the detail model itself.
struct tenant::impl : detail::tenant_state {};
}  // namespace graphsim
