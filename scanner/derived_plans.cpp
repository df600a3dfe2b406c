#include "scanner/derived_plans.hpp"

#include <algorithm>

namespace scanner {

sku_plan_index::sku_plan_index(std::span<const storage::sku_record> skus) {
  for (auto const& sku : skus) {
    auto& plans = plans_[sku.sku_id];
    for (auto const& plan : sku.service_plans) {
      bool const known = std::any_of(plans.begin(), plans.end(),
                                     [&](auto const& p) { return p.service_plan_id == plan.service_plan_id; });
      if (!known) plans.push_back(plan);
    }
  }
}

void sku_plan_index::derive(const storage::assigned_license_record& license,
                            std::vector<storage::license_plan_record>& out) const {
  auto const found = plans_.find(license.sku_id);
  if (found == plans_.end()) return;
  for (auto const& plan : found->second) {
    bool const disabled = std::find(license.disabled_plans.begin(), license.disabled_plans.end(),
                                    plan.service_plan_id) != license.disabled_plans.end();
    storage::license_plan_record row;
    row.user_id = license.user_id;
    row.sku_id = license.sku_id;
    row.service_plan_id = plan.service_plan_id;
    row.service_plan_name = plan.service_plan_name;
    row.provisioning_status = disabled ? "Disabled" : plan.provisioning_status;
    row.enabled = !disabled;
    out.push_back(std::move(row));
  }
}

void sku_plan_index::derive_page(storage::user_page& page) const {
  for (auto const& license : page.licenses) derive(license, page.plans);
}

}  // namespace scanner
