#include "scanner/detail/parse_tenant.hpp"

#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>

namespace scanner {
namespace {

// The "value" array of a collection response, or an error naming what was expected.
base::result<const json::value*> collection(const rapidjson::Document& doc, std::string_view what) {
  if (!doc.IsObject()) return base::runtime_error(fmt::format("cannot read {}: the body is not a JSON object", what));
  auto const* items = json::member(doc, "value");
  if (items == nullptr || !items->IsArray())
    return base::runtime_error(fmt::format("cannot read {}: it has no \"value\" array", what));
  return items;
}

base::error item_error(std::string_view what, std::size_t index, std::string_view problem) {
  return base::runtime_error(fmt::format("cannot read {}: item #{} {}", what, index, problem));
}

std::vector<storage::service_plan_record> read_plans(const json::value& list) {
  std::vector<storage::service_plan_record> plans;
  if (!list.IsArray()) return plans;
  plans.reserve(list.Size());
  for (auto const& item : list.GetArray()) {
    auto const id = json::optional_string(item, "servicePlanId");
    if (!id || id->empty()) continue;  // a plan without an id cannot be joined to disabledPlans
    plans.push_back({json::lower(*id), json::string_or_empty(item, "servicePlanName"),
                     json::string_or_empty(item, "provisioningStatus"), json::string_or_empty(item, "appliesTo")});
  }
  return plans;
}

std::optional<std::string> lower_optional(std::optional<std::string> s) {
  if (s) *s = json::lower(*s);
  return s;
}

}  // namespace

base::result<storage::organization_record> parse_organization(std::string_view body) {
  constexpr std::string_view what = "organization";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  auto items = collection(doc, what);
  if (!items) return items.error();
  if ((*items)->Empty())
    return base::runtime_error(
        "cannot read organization: the list is empty (is the application consented in this "
        "tenant?)");
  auto const& org = (**items)[0];
  auto const id = json::optional_string(org, "id");
  if (!id || id->empty()) return item_error(what, 1, "has no id");
  return storage::organization_record{json::lower(*id), json::string_or_empty(org, "displayName")};
}

base::result<parsed_sku_page> parse_subscribed_skus(std::string_view body) {
  constexpr std::string_view what = "subscribedSkus";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  auto items = collection(doc, what);
  if (!items) return items.error();
  parsed_sku_page out;
  out.next_link = json::string_or_empty(doc, "@odata.nextLink");
  std::size_t index = 0;
  for (auto const& item : (*items)->GetArray()) {
    ++index;
    if (!item.IsObject()) return item_error(what, index, "is not a JSON object");
    storage::sku_record sku;
    auto const sku_id = json::optional_string(item, "skuId");
    if (!sku_id || sku_id->empty()) return item_error(what, index, "has no skuId");
    sku.sku_id = json::lower(*sku_id);
    sku.id = json::string_or_empty(item, "id");
    sku.sku_part_number = json::string_or_empty(item, "skuPartNumber");
    sku.account_id = json::lower(json::string_or_empty(item, "accountId"));
    sku.account_name = json::string_or_empty(item, "accountName");
    sku.applies_to = json::string_or_empty(item, "appliesTo");
    sku.capability_status = json::string_or_empty(item, "capabilityStatus");
    sku.consumed_units = json::optional_int(item, "consumedUnits").value_or(0);
    if (auto const* units = json::member(item, "prepaidUnits"); units != nullptr) {
      sku.prepaid_enabled = json::optional_int(*units, "enabled").value_or(0);
      sku.prepaid_suspended = json::optional_int(*units, "suspended").value_or(0);
      sku.prepaid_warning = json::optional_int(*units, "warning").value_or(0);
      sku.prepaid_locked_out = json::optional_int(*units, "lockedOut").value_or(0);
    }
    sku.subscription_ids = json::string_array(item, "subscriptionIds", true);
    if (auto const* plans = json::member(item, "servicePlans"); plans != nullptr)
      sku.service_plans = read_plans(*plans);
    out.skus.push_back(std::move(sku));
  }
  return out;
}

base::result<parsed_subscription_page> parse_subscriptions(std::string_view body) {
  constexpr std::string_view what = "directory subscriptions";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  auto items = collection(doc, what);
  if (!items) return items.error();
  parsed_subscription_page out;
  out.next_link = json::string_or_empty(doc, "@odata.nextLink");
  std::size_t index = 0;
  for (auto const& item : (*items)->GetArray()) {
    ++index;
    if (!item.IsObject()) return item_error(what, index, "is not a JSON object");
    storage::subscription_record sub;
    auto const id = json::optional_string(item, "id");
    if (!id || id->empty()) return item_error(what, index, "has no id");
    sub.id = json::lower(*id);
    sub.commerce_subscription_id = json::lower(json::string_or_empty(item, "commerceSubscriptionId"));
    sub.sku_id = json::lower(json::string_or_empty(item, "skuId"));
    sub.sku_part_number = json::string_or_empty(item, "skuPartNumber");
    sub.status = json::string_or_empty(item, "status");
    sub.is_trial = json::optional_bool(item, "isTrial");
    sub.total_licenses = json::optional_int(item, "totalLicenses");
    sub.created_date_time = json::string_or_empty(item, "createdDateTime");
    sub.next_lifecycle_date_time = json::string_or_empty(item, "nextLifecycleDateTime");
    sub.owner_id = lower_optional(json::optional_string(item, "ownerId"));
    sub.owner_tenant_id = lower_optional(json::optional_string(item, "ownerTenantId"));
    sub.owner_type = json::optional_string(item, "ownerType");
    out.subscriptions.push_back(std::move(sub));
  }
  return out;
}

}  // namespace scanner
