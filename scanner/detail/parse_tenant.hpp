// scanner/detail/parse_tenant.hpp — the tenant-wide facts: GET /organization, /subscribedSkus, /directory/subscriptions
// (docs/graph.md §3, §4) → storage records.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// One page of /subscribedSkus.
struct parsed_sku_page {
  std::vector<storage::sku_record> skus;
  std::string next_link;  // empty on the last page
};

// One page of /directory/subscriptions.
struct parsed_subscription_page {
  std::vector<storage::subscription_record> subscriptions;
  std::string next_link;  // empty on the last page
};

// The home tenant: the first item of GET /organization (id lower-cased); fails when the list is empty.
base::result<storage::organization_record> parse_organization(std::string_view body);

// A /subscribedSkus page: GUIDs lower-cased, prepaidUnits flattened, unknown fields (servicePlanType) ignored;
// fails on a body that is not JSON, has no "value" array, or holds a SKU without a skuId.
base::result<parsed_sku_page> parse_subscribed_skus(std::string_view body);

// A /directory/subscriptions page: owner fields kept as given (null = nullopt), GUIDs lower-cased; fails on a body
// that is not JSON, has no "value" array, or holds a subscription without an id.
base::result<parsed_subscription_page> parse_subscriptions(std::string_view body);

}  // namespace scanner
