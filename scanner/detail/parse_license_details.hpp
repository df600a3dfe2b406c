// scanner/detail/parse_license_details.hpp — GET /users/{id}/licenseDetails (docs/graph.md §2) → license-plan rows.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <string_view>
#include <vector>

namespace scanner {

// One row per (SKU, service plan) of the user: GUIDs lower-cased, enabled unless provisioningStatus is
// "Disabled"; the licenseDetails id is ignored (Graph gives every holder of a SKU the same one). Fails on a body
// that is not JSON, has no "value" array, or holds an entry without a skuId.
base::result<std::vector<storage::license_plan_record>> parse_license_details(std::string_view user_id,
                                                                              std::string_view body);

}  // namespace scanner
