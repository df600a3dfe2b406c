// storage/detail/derived_plans.hpp — the license plans of a `derived` snapshot, computed on read (storage-internal).
#pragma once

#include "storage/database.hpp"

#include <functional>

namespace storage::detail {

// Calls fn for every (user, SKU, plan) of the snapshot in (user, SKU, plan id) order: each license's SKU plans
// from subscribedSkus (a skuId under several accounts has the union), enabled unless in disabledPlans, with
// provisioning status "Disabled" for a disabled one. The same rule as scanner/derived_plans.cpp.
base::result<void> derive_license_plans(database& db, std::int64_t scan_id,
                                        const std::function<void(const license_plan_record&)>& fn);

}  // namespace storage::detail
