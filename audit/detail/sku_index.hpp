// audit/detail/sku_index.hpp — what the snapshot says about each SKU (subscriptions, names, sign-up list, overrides),
// indexed once per snapshot so that classifying a license is a hash lookup.
#pragma once

#include "audit/detail/catalogue.hpp"
#include "audit/detail/origin.hpp"
#include "audit/detail/text.hpp"
#include "audit/rules_file.hpp"
#include "storage/records.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace audit {

// docs/design.md §3.1: partner-created if ownerTenantId is set and differs from the home tenant; else user-owned if
// ownerType is User (any case); else organization.
enum class subscription_kind { partner, user_owned, organization };

// The kind of one subscription, given the home tenant id.
subscription_kind kind_of(const storage::subscription_record& s, std::string_view home_tenant_id);

// Everything about one SKU that does not depend on the user holding it.
struct sku_facts {
  std::string sku_id;        // lower-case GUID; empty for SKUs the index has never heard of
  std::string part_number;   // subscribedSkus, else the catalogue (trimmed), else empty
  std::string product_name;  // the catalogue's first row, else empty
  bool in_subscribed_skus = false;
  int partner_subscriptions = 0;  // subscriptions not Deleted, by kind
  int user_subscriptions = 0;
  int organization_subscriptions = 0;
  std::optional<bool> is_trial;               // true when every subscription is a trial; nullopt when none or unknown
  std::vector<std::string> subscription_ids;  // lower-case, sorted, de-duplicated (likewise the next two)
  std::vector<std::string> owner_ids;
  std::vector<std::string> owner_tenant_ids;
  bool signup = false;  // in the built-in sign-up list or a rules-file `signup` line
  std::optional<rule_override> override_rule;
  audit::origin origin = origin::organization;  // first match of rules 2–7 (rule 1 and overrides are per user)
  std::string evidence;                         // ';'-joined tokens of every rule 2–7 that matches

  // How many live subscriptions the SKU has, of any kind.
  int subscriptions() const { return partner_subscriptions + user_subscriptions + organization_subscriptions; }
};

// skuId → sku_facts for one snapshot. Lookups ignore case; unknown SKUs share one "never heard of" entry.
class sku_index {
 public:
  // Indexes the snapshot's SKUs and subscriptions (ignoring status Deleted) with the catalogue, the built-in
  // sign-up list and the rules.
  sku_index(std::span<const storage::sku_record> skus, std::span<const storage::subscription_record> subscriptions,
            std::string_view home_tenant_id, const catalogue& cat, std::span<const signup_sku> signup_list,
            const rules& rules);

  // The facts of this skuId; for a SKU absent from the snapshot, catalogue and rules, an entry with an empty sku_id
  // whose origin is unattributed.
  const sku_facts& find(std::string_view sku_id) const;

 private:
  std::unordered_map<std::string, sku_facts, ci_hash, ci_equal> facts_;
  sku_facts unknown_;
};

}  // namespace audit
