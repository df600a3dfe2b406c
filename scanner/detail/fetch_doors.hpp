// scanner/detail/fetch_doors.hpp — the optional reads of a scan: the tenant settings that let users acquire licenses on
// their own (docs/graph.md §15).
#pragma once

#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
#include "storage/records.hpp"

#include <string_view>
#include <vector>

namespace scanner {

// True when graph_endpoint is a national cloud's Graph root (docs/graph.md §11), where beta-only, global-only
// endpoints do not exist.
bool is_national_cloud(std::string_view graph_endpoint);

// GET /v1.0/policies/authorizationPolicy and GET /beta/admin/appsAndServices, side by side: the signup,
// email_verified_join, trials and office_store doors. Never fails the scan: a refusal (403), a missing endpoint
// (404), a national cloud or any other failure leaves those doors unknown, with the reason in their note and one
// log line naming what would show them; nullopt when stopped.
net::awaitable<unless_stopped<std::vector<storage::door_record>>> fetch_doors(graph_client& client, stop_signal& stop,
                                                                              std::string_view graph_endpoint);

}  // namespace scanner
