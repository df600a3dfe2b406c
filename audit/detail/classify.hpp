// audit/detail/classify.hpp — the origin of each license of one user (docs/design.md §3), a pure function of stored
// facts.
#pragma once

#include "audit/detail/origin.hpp"
#include "audit/detail/sku_index.hpp"
#include "storage/records.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

// How licenseAssignmentStates says the user holds a SKU (docs/design.md §4.1 `assignment`).
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

// One user's record, licenses and states as classify reads them, borrowed from where they are held (a stored
// user's user_licenses, or the rows of a users page as it is crawled).
struct user_view {
  const storage::user_record& user;
  std::span<const storage::assigned_license_record> licenses;
  std::span<const storage::license_state_record> states;
};

// One verdict per assignedLicenses entry (duplicates of a skuId count once), in the user's order;
// licenseAssignmentStates rows without an assignedLicenses entry are not classified.
std::vector<license_verdict> classify(const user_view& user, const sku_index& index);
// The same for a stored user.
inline std::vector<license_verdict> classify(const storage::user_licenses& user, const sku_index& index) {
  return classify(user_view{user.user, user.licenses, user.states}, index);
}

}  // namespace audit
