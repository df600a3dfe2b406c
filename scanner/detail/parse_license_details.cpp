#include "scanner/detail/parse_license_details.hpp"

#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>

namespace scanner {

base::result<std::vector<storage::license_plan_record>> parse_license_details(std::string_view user_id,
                                                                              std::string_view body) {
  constexpr std::string_view what = "licenseDetails";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  auto const* items = doc.IsObject() ? json::member(doc, "value") : nullptr;
  if (items == nullptr || !items->IsArray())
    return base::runtime_error(fmt::format("cannot read {}: it has no \"value\" array", what));
  std::string const user = json::lower(user_id);
  std::vector<storage::license_plan_record> rows;
  std::size_t index = 0;
  for (auto const& item : items->GetArray()) {
    ++index;
    auto const sku = json::optional_string(item, "skuId");
    if (!sku || sku->empty())
      return base::runtime_error(fmt::format("cannot read {}: entry #{} has no skuId", what, index));
    std::string const sku_id = json::lower(*sku);
    auto const* plans = json::member(item, "servicePlans");
    if (plans == nullptr || !plans->IsArray()) continue;
    for (auto const& plan : plans->GetArray()) {
      auto const id = json::optional_string(plan, "servicePlanId");
      if (!id || id->empty()) continue;
      storage::license_plan_record row;
      row.user_id = user;
      row.sku_id = sku_id;
      row.service_plan_id = json::lower(*id);
      row.service_plan_name = json::string_or_empty(plan, "servicePlanName");
      row.provisioning_status = json::string_or_empty(plan, "provisioningStatus");
      row.enabled = json::lower(row.provisioning_status) != "disabled";
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace scanner
