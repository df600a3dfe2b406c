// scanner/derived_plans.hpp — license-plan rows derived from assignedLicenses + subscribedSkus, without requests.
#pragma once

#include "storage/records.hpp"

#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace scanner {

// The service plans of every SKU of the tenant, by lower-case skuId.
class sku_plan_index {
 public:
  // Indexes the SKUs' plans (a skuId listed under several accounts gets the union of their plans).
  explicit sku_plan_index(std::span<const storage::sku_record> skus);

  // Appends one row per plan of the license's SKU: enabled unless listed in disabledPlans, provisioning status
  // from the SKU ("Disabled" when disabled for the user). A SKU missing from subscribedSkus yields no rows.
  void derive(const storage::assigned_license_record& license, std::vector<storage::license_plan_record>& out) const;

  // Derives the rows of every license of a page into page.plans.
  void derive_page(storage::user_page& page) const;

 private:
  std::unordered_map<std::string, std::vector<storage::service_plan_record>> plans_;
};

}  // namespace scanner
