// scanner/detail/fetch_tenant.hpp — the tenant-wide requests of a scan: /organization, /subscribedSkus,
// /directory/subscriptions (each collection followed through its nextLinks).
#pragma once

#include "base/error.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
#include "storage/records.hpp"

#include <vector>

namespace scanner {

// The SKUs and subscriptions a snapshot stores before its users.
struct tenant_facts {
  std::vector<storage::sku_record> skus;
  std::vector<storage::subscription_record> subscriptions;
};

// GET /v1.0/organization?$select=id,displayName: the home tenant (one request).
net::awaitable<base::result<unless_stopped<storage::organization_record>>> fetch_organization(graph_client& client,
                                                                                              stop_signal& stop);

// GET /v1.0/subscribedSkus and GET /v1.0/directory/subscriptions, concurrently (one request each unless Graph
// pages them); nullopt when stopped.
net::awaitable<base::result<unless_stopped<tenant_facts>>> fetch_tenant_facts(graph_client& client, stop_signal& stop);

}  // namespace scanner
