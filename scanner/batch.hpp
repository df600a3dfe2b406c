// scanner/batch.hpp — fetch mode: GET /users/{id}/licenseDetails for many users through POST /$batch
// (GRAPH.md §7), 20 per batch, a bounded and adaptive number of batches in flight.
#pragma once

#include "base/error.hpp"
#include "scanner/concurrency.hpp"
#include "scanner/graph_client.hpp"
#include "scanner/graph_get.hpp"
#include "scanner/stop_signal.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace scanner {

// Counters the batch loop adds to (throttled items are not seen by the client, which sees the outer 200).
struct batch_counters {
  std::int64_t batches = 0;
  std::int64_t items_throttled = 0;  // items answered 429 inside a batch
  std::int64_t items_retried = 0;
};

// The relative URL of a user's licenseDetails inside a batch.
std::string license_details_url(std::string_view user_id);

// Fetches the licenseDetails rows of every user in user_ids: up to limit.current() batches in flight; items
// answered 429/503/5xx (or with a body that does not parse) go into a later batch after the client has paused
// for the longest Retry-After; any other item status fails the whole call with the item's URL and status.
// nullopt when stop was requested first (nothing partial is returned).
net::awaitable<base::result<unless_stopped<std::vector<storage::license_plan_record>>>> fetch_license_details(
    graph_client& client, std::vector<std::string> user_ids, adaptive_limit& limit, stop_signal& stop,
    batch_counters& counters);

}  // namespace scanner
