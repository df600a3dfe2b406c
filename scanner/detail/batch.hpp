// scanner/detail/batch.hpp — fetch mode: GET /users/{id}/licenseDetails for many users through POST /$batch
// (docs/graph.md §7), 20 per batch, a bounded and adaptive number of batches in flight.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/concurrency.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/ru_pacer.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
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
  std::int64_t items_not_found = 0;  // items answered 404: the user was deleted after the listing (skipped)
};

// How much the batch loop sends at once and how fast: batches in flight and items per batch, both halved when
// Graph throttles and regained slowly, and the RU pacer that spaces the batches so that Graph's budget is used
// without being exceeded. Items matter as much as batches: every item is costed on its own, and a Retry-After
// only promises room for one request, so a full batch resent after it would be throttled again and again.
struct batch_limits {
  // ru_per_10s: the pacer's starting rate (see ru_pacer); the headers of the answers correct it.
  explicit batch_limits(unsigned concurrency, double ru_per_10s = documented_ru_large)
      : in_flight(concurrency), items(max_batch_items_per_request), pacer(ru_per_10s, ru_pacer::clock::now()) {}
  static constexpr unsigned max_batch_items_per_request = 20;
  adaptive_limit in_flight;
  adaptive_limit items;
  ru_pacer pacer;
};

// Whether Graph lets this application read licenseDetails (docs/scanning.md, "Fetch mode": the documentation
// disagrees with itself): lists one user and reads its licenseDetails. false on 403, true on success or when the
// tenant has no user; nullopt when stop came first; any other failure is returned.
net::awaitable<base::result<unless_stopped<bool>>> probe_license_details(graph_client& client, stop_signal& stop);

// The relative URL of a user's licenseDetails inside a batch ($select lowers its cost from 2 to 1 RU).
std::string license_details_url(std::string_view user_id);

// Fetches the licenseDetails rows of every user in user_ids: up to limits' batches in flight, each sent when
// limits' pacer has room for the estimated RU of its items (and fed every item's throttling headers); items
// answered 429/503/5xx (or with a body that does not parse) go into a later batch after the client has paused
// for the longest Retry-After; an item answered 404 (the user was deleted since the listing) is skipped and
// counted; any other item status fails the whole call with the item's URL and status.
// nullopt when stop was requested first (nothing partial is returned).
net::awaitable<base::result<unless_stopped<std::vector<storage::license_plan_record>>>> fetch_license_details(
    graph_client& client, std::vector<std::string> user_ids, batch_limits& limits, stop_signal& stop,
    batch_counters& counters);

}  // namespace scanner
