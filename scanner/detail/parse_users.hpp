// scanner/detail/parse_users.hpp — one GET /users page (docs/graph.md §1) → storage records.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace scanner {

// The $select list of the users chain: exactly the properties storage keeps (docs/graph.md §1.1).
inline constexpr std::string_view user_select =
    "id,userPrincipalName,displayName,mail,userType,accountEnabled,usageLocation,onPremisesSyncEnabled,"
    "department,createdDateTime,creationType,assignedLicenses,licenseAssignmentStates";

// What one users page yields.
struct parsed_user_page {
  storage::user_page page;            // users, licenses and states; plans are left to the crawl
  std::string next_link;              // @odata.nextLink as given (absolute); empty on the last page
  std::optional<std::int64_t> count;  // @odata.count, present on a first page asked with $count=true
  std::int64_t licensed_users = 0;    // users with at least one assignedLicenses entry
};

// Parses a users page: unknown fields ignored, GUIDs lower-cased, null and missing values empty, a
// licenseAssignmentStates error of null or "None" stored as empty. Fails (naming the item) on a body that is not
// JSON, has no "value" array, or holds a user without an id or a license without a skuId.
base::result<parsed_user_page> parse_user_page(std::string_view body);

}  // namespace scanner
