#include "storage/detail/derived_plans.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace storage::detail {

base::result<void> derive_license_plans(database& db, std::int64_t scan_id,
                                        const std::function<void(const license_plan_record&)>& fn) {
  auto skus = db.skus(scan_id);
  if (!skus) return skus.error();
  // A tenant has tens of SKUs: their plans fit in memory; the users are streamed.
  std::map<std::string, std::vector<service_plan_record>, std::less<>> plans_of;
  for (const auto& sku : *skus) {
    auto& plans = plans_of[sku.sku_id];
    for (const auto& p : sku.service_plans)
      if (std::none_of(plans.begin(), plans.end(),
                       [&](const auto& known) { return known.service_plan_id == p.service_plan_id; }))
        plans.push_back(p);
  }
  for (auto& [sku_id, plans] : plans_of)
    std::sort(plans.begin(), plans.end(),
              [](const auto& a, const auto& b) { return a.service_plan_id < b.service_plan_id; });

  license_plan_record row;
  return db.for_each_user(scan_id, [&](const user_licenses& u) {
    for (auto const& license : u.licenses) {  // in sku_id order
      auto const found = plans_of.find(license.sku_id);
      if (found == plans_of.end()) continue;
      for (auto const& plan : found->second) {
        bool const disabled = std::find(license.disabled_plans.begin(), license.disabled_plans.end(),
                                        plan.service_plan_id) != license.disabled_plans.end();
        row.user_id = u.user.id;
        row.sku_id = license.sku_id;
        row.service_plan_id = plan.service_plan_id;
        row.service_plan_name = plan.service_plan_name;
        row.provisioning_status = disabled ? "Disabled" : plan.provisioning_status;
        row.enabled = !disabled;
        fn(row);
      }
    }
  });
}

}  // namespace storage::detail
