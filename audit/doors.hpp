// audit/doors.hpp — the doors of a snapshot (docs/design.md §7): each tenant setting that lets users acquire
// licenses on their own, tied to the findings that came through it, with the way to close it.
#pragma once

#include "base/error.hpp"
#include "storage/database.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

// The MSCommerce product id of a SKU part number (data/mscommerce_sku_map.csv, case-insensitive); empty when the
// SKU is not a self-service purchase product we know.
std::string commerce_product_of(std::string_view sku_part_number);

// The product's name in Microsoft's MSCommerce table (data/mscommerce_products.csv); empty when unknown.
std::string commerce_product_name(std::string_view product_id);

// Every door of the snapshot, in report order: signup, email_verified_join, trials, office_store, then one
// self_service_purchase door per product that the policy file named or that findings came through (by product id;
// findings of SKUs without a known product id last, under an empty id). A door the snapshot did not read is
// unknown, never closed. Findings are tied to doors by origin: self_service_signup → signup,
// self_service_trial → trials, self_service_purchase → its product's door; a finding whose user was
// email-verified also counts for email_verified_join.
base::result<std::vector<storage::door_summary>> summarize_doors(storage::database& db, std::int64_t scan_id);

// True when any door of the summary is open.
bool any_open(const std::vector<storage::door_summary>& doors);

}  // namespace audit
