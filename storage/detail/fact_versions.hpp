// storage/detail/fact_versions.hpp — a snapshot's SKUs and subscriptions, each distinct row stored once
// (docs/schema.md "Versions"; storage-internal).
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace storage::detail {

struct connection;

// Where a snapshot's facts are read from, with the columns of schema version 5's tables: the views of today's
// schema, or those tables themselves while a version-5 file migrates.
struct fact_sources {
  std::string_view skus;
  std::string_view service_plans;
  std::string_view subscription_ids;
  std::string_view subscriptions;
};
inline constexpr fact_sources fact_views{"skus", "sku_service_plans", "sku_subscription_ids", "subscriptions"};

// The SKUs scan_id holds, by id, each with its service plans and subscription ids in Graph's order.
base::result<std::vector<sku_record>> read_skus(connection& d, const fact_sources& from, std::int64_t scan_id,
                                                std::string_view what);
// The subscriptions scan_id holds, by id.
base::result<std::vector<subscription_record>> read_subscriptions(connection& d, const fact_sources& from,
                                                                  std::int64_t scan_id, std::string_view what);

// Makes scan_id hold exactly these SKUs and subscriptions (for an id given twice, the last), storing only the rows
// and plan lists not stored yet, and dropping what no snapshot holds any more. Runs inside the caller's transaction.
base::result<void> store_tenant_facts(connection& d, std::int64_t scan_id, std::span<const sku_record> skus,
                                      std::span<const subscription_record> subscriptions, std::string_view what);

// Deletes the SKU versions, plan lists and subscription versions that no snapshot holds (after pruning).
base::result<void> drop_unheld_facts(connection& d, std::string_view what);

}  // namespace storage::detail
