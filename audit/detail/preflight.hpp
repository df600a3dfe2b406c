// audit/detail/preflight.hpp — what an identity provider's assignLicense does to a user's licenses when it replaces
// them with its managed set (docs/design.md §4.3 idp_outcome).
#pragma once

#include "audit/detail/catalogue.hpp"
#include "audit/detail/origin.hpp"
#include "audit/detail/text.hpp"
#include "base/error.hpp"
#include "storage/records.hpp"

#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace audit {

// The SKUs the provider manages, as lower-case skuIds.
struct managed_skus {
  std::unordered_set<std::string, ci_hash, ci_equal> sku_ids;

  // True when the provider manages this skuId (case ignored).
  bool contains(std::string_view sku_id) const { return sku_ids.contains(trim(sku_id)); }
};

// Resolves part numbers (case-insensitive: the snapshot's subscribedSkus first, then the catalogue, which may give
// two skuIds) and GUIDs to skuIds. Names that match nothing are one usage error listing them all.
base::result<managed_skus> resolve_managed_skus(std::span<const std::string> names,
                                                std::span<const storage::sku_record> skus, const catalogue& cat);

// The idp_outcome of one license: unaffected when the provider manages the SKU, else what removing it yields.
idp_outcome license_outcome(origin o, std::string_view sku_id, const managed_skus& managed);

// Whether a user's whole assignLicense call goes through (docs/design.md §4.3: it fails if any row is refused).
enum class call_outcome { succeeds, may_be_refused, refused_400, refused_403 };

// The call outcome after one more license: a refusal outweighs "may be refused"; a 403 is counted ahead of a 400
// because the user's self-service or partner license needs action even once the group is fixed.
call_outcome combine(call_outcome so_far, idp_outcome license);

}  // namespace audit
