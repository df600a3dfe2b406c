// /subscribedSkus, /directory/subscriptions and /organization as Graph writes them (docs/graph.md §3, §4).
#include "graphsim/detail/json_out.hpp"
#include "graphsim/detail/tenant_model.hpp"
#include "graphsim/detail/text.hpp"

namespace graphsim {
namespace {

using namespace detail;

using json_out::key;
using json_out::optional_string;
using json_out::string;

}  // namespace

void tenant::write_subscribed_skus(json_writer& w) const {
  const tenant_state& t = *impl_;
  for (const sku_def& sku : t.skus) {
    if (!sku.in_subscribed_skus) continue;
    w.StartObject();
    key(w, "accountName");
    string(w, t.tenant_name);
    key(w, "accountId");
    string(w, t.tenant_id);
    key(w, "appliesTo");
    string(w, "User");
    key(w, "capabilityStatus");
    string(w, sku.capability_status);
    key(w, "consumedUnits");
    w.Uint64(sku.consumed_units);
    key(w, "id");
    string(w, t.tenant_id + "_" + sku.sku_id);
    key(w, "prepaidUnits");
    w.StartObject();
    key(w, "enabled");
    w.Uint64(sku.prepaid_enabled);
    key(w, "lockedOut");
    w.Uint64(sku.prepaid_locked_out);
    key(w, "suspended");
    w.Uint64(sku.prepaid_suspended);
    key(w, "warning");
    w.Uint64(sku.prepaid_warning);
    w.EndObject();
    key(w, "servicePlans");
    json_out::service_plans(w, sku.plans, [&](std::size_t) { return sku.capability_status == "Enabled"; });
    key(w, "skuId");
    string(w, sku.sku_id);
    key(w, "skuPartNumber");
    string(w, sku.part_number);
    key(w, "subscriptionIds");
    w.StartArray();
    for (std::size_t n : sku.subscriptions)
      if (t.subscriptions[n].status != "Deleted") string(w, t.subscriptions[n].id);
    w.EndArray();
    w.EndObject();
  }
}

void tenant::write_subscriptions(json_writer& w) const {
  const tenant_state& t = *impl_;
  for (const subscription& sub : t.subscriptions) {
    const sku_def& sku = t.skus[sub.sku];
    w.StartObject();
    key(w, "createdDateTime");
    string(w, sub.created);
    key(w, "commerceSubscriptionId");
    string(w, sub.commerce_id);
    key(w, "id");
    string(w, sub.id);
    key(w, "isTrial");
    w.Bool(sub.is_trial);
    key(w, "nextLifecycleDateTime");
    string(w, sub.next_lifecycle);
    key(w, "serviceStatus");
    json_out::service_plans(w, sku.plans, [&](std::size_t) { return sub.status == "Enabled"; });
    key(w, "skuId");
    string(w, sku.sku_id);
    key(w, "skuPartNumber");
    string(w, sku.part_number);
    key(w, "status");
    string(w, sub.status);
    key(w, "totalLicenses");
    w.Uint64(sub.total_licenses);
    key(w, "ownerId");
    optional_string(w, sub.owner_id);
    key(w, "ownerTenantId");
    optional_string(w, sub.owner_tenant_id);
    key(w, "ownerType");
    optional_string(w, sub.owner_type);
    w.EndObject();
  }
}

void tenant::write_organization(json_writer& w) const {
  const tenant_state& t = *impl_;
  w.StartObject();
  key(w, "id");
  string(w, t.tenant_id);
  key(w, "deletedDateTime");
  w.Null();
  key(w, "businessPhones");
  w.StartArray();
  string(w, "+1 425 555 0100");
  w.EndArray();
  key(w, "city");
  string(w, "Redmond");
  key(w, "country");
  w.Null();
  key(w, "countryLetterCode");
  string(w, "US");
  key(w, "createdDateTime");
  string(w, "2015-03-17T09:12:44Z");
  key(w, "displayName");
  string(w, t.tenant_name);
  key(w, "onPremisesSyncEnabled");
  w.Bool(true);
  key(w, "preferredLanguage");
  string(w, "en");
  key(w, "tenantType");
  string(w, "AAD");
  key(w, "verifiedDomains");
  w.StartArray();
  w.StartObject();
  key(w, "capabilities");
  string(w, "Email, OfficeCommunicationsOnline");
  key(w, "isDefault");
  w.Bool(true);
  key(w, "isInitial");
  w.Bool(true);
  key(w, "name");
  string(w, t.domain);
  key(w, "type");
  string(w, "Managed");
  w.EndObject();
  w.EndArray();
  w.EndObject();
}

}  // namespace graphsim

namespace graphsim {

std::optional<std::string> tenant::group_name(std::string_view id) const {
  const tenant_state& t = *impl_;
  for (std::size_t g = 0; g < t.groups.size(); ++g)
    if (iequals(t.groups[g], id)) return t.group_names[g];
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> tenant::licensing_groups(
    std::optional<std::string_view> sku_id) const {
  const tenant_state& t = *impl_;
  std::vector<std::pair<std::string, std::string>> out;
  if (!sku_id) {
    for (std::size_t g = 0; g < t.groups.size(); ++g) out.emplace_back(t.groups[g], t.group_names[g]);
    return out;
  }
  auto const sku = t.sku_by_id.find(to_lower(*sku_id));
  if (sku == t.sku_by_id.end()) return out;
  for (std::size_t g : t.skus[sku->second].groups) out.emplace_back(t.groups[g], t.group_names[g]);
  return out;
}

}  // namespace graphsim
