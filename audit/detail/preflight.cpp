#include "audit/detail/preflight.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace audit {

base::result<managed_skus> resolve_managed_skus(std::span<const std::string> names,
                                                std::span<const storage::sku_record> skus, const catalogue& cat) {
  managed_skus managed;
  std::vector<std::string> unknown;
  for (const auto& raw : names) {
    std::string_view name = trim(raw);
    if (name.empty()) continue;
    if (is_guid(name)) {
      managed.sku_ids.insert(to_lower(name));
      continue;
    }
    bool found = false;
    for (const auto& sku : skus) {
      if (iequals(trim(sku.sku_part_number), name)) {
        managed.sku_ids.insert(to_lower(trim(sku.sku_id)));
        found = true;
      }
    }
    if (!found) {
      for (auto& id : cat.sku_ids_of_part_number(name)) {
        managed.sku_ids.insert(std::move(id));
        found = true;
      }
    }
    if (!found) unknown.emplace_back(name);
  }
  if (!unknown.empty()) {
    sort_unique(unknown);
    return base::usage_error(fmt::format(
        "--idp-managed-skus: unknown SKU {}: use part numbers from subscribedSkus or the licensing catalogue "
        "(case ignored) or skuId GUIDs",
        join(unknown, ", ")));
  }
  return managed;
}

idp_outcome license_outcome(origin o, std::string_view sku_id, const managed_skus& managed) {
  if (managed.contains(sku_id)) return idp_outcome::unaffected;
  return removal_outcome(o);
}

call_outcome combine(call_outcome so_far, idp_outcome license) {
  call_outcome next = call_outcome::succeeds;
  switch (license) {
    case idp_outcome::unaffected:
      next = call_outcome::succeeds;
      break;
    case idp_outcome::removal_may_be_refused:
      next = call_outcome::may_be_refused;
      break;
    case idp_outcome::removal_refused_400:
      next = call_outcome::refused_400;
      break;
    case idp_outcome::removal_refused_403:
      next = call_outcome::refused_403;
      break;
  }
  return std::max(so_far, next);  // the enum is ordered by weight
}

}  // namespace audit
