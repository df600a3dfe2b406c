// audit/classify.hpp — the origin of each license of one user (DESIGN.md §3), a pure function of stored facts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/origin.hpp"
#include "audit/sku_index.hpp"
#include "storage/records.hpp"

namespace audit {

// How licenseAssignmentStates says the user holds a SKU (DESIGN.md §4 `assignment`).
enum class assignment { direct, group, direct_and_group, unknown };

// The contract name: direct, group, direct+group, unknown.
std::string_view to_string(assignment a);

// The verdict on one (user, SKU) license.
struct license_verdict {
  std::string sku_id;              // lower-case GUID, from assignedLicenses
  const sku_facts* sku = nullptr;  // the SKU's facts in the index the verdict came from (never null)
  audit::origin origin = origin::organization;
  audit::confidence confidence = confidence::none;
  std::string evidence;  // ';'-joined tokens of every rule that matched, in rule order
  audit::assignment assignment = assignment::unknown;
  std::vector<std::string> group_ids;  // lower-case, sorted, de-duplicated
};

// One verdict per assignedLicenses entry (duplicates of a skuId count once), in the user's order;
// licenseAssignmentStates rows without an assignedLicenses entry are not classified.
std::vector<license_verdict> classify(const storage::user_licenses& user, const sku_index& index);

}  // namespace audit
