// audit/commerce_policies.hpp — `scan --commerce-policies FILE`: the JSON of
// `Get-MSCommerceProductPolicies -PolicyId AllowSelfServicePurchase | ConvertTo-Json` (docs/graph.md §15),
// one object or an array of them, as the self-service purchase door of each product.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace audit {

// The self_service_purchase doors the text holds, one per ProductId (a later object for the same product wins):
// PolicyValue Enabled or OnlyTrialsWithoutPaymentMethod is open, Disabled closed. Anything else is a usage error
// naming name (the file) and the line: malformed JSON, an object without ProductId or PolicyValue, an unknown
// PolicyValue, another PolicyId.
base::result<std::vector<storage::door_record>> parse_commerce_policies(std::string_view text, std::string_view name);

// Reads and parses the file at path (parse_commerce_policies with the path as its name).
base::result<std::vector<storage::door_record>> read_commerce_policies(const std::string& path);

}  // namespace audit
