// graphsim/detail/batch.hpp — POST /$batch (docs/graph.md §7): up to 20 requests, each executed as its own Graph
// request (own status, headers, body, throttling and faults), answered together in {"responses":[...]}.
#pragma once

#include "graphsim/detail/http_types.hpp"

#include <boost/system/result.hpp>

#include <functional>

namespace graphsim {

// Most requests one batch may carry.
inline constexpr std::size_t max_batch_requests = 20;

// Runs the batch in outer through serve_item (which sees an item as a request to /v1.0/<url> carrying the
// outer Authorization); the 200 envelope, or Graph's 400 for a malformed batch (too many requests, duplicate
// or missing ids, absolute urls). Wire faults and slowness drawn by an item apply to the envelope.
boost::system::result<sim_response, graph_failure> run_batch(
    sim_request const& outer, std::function<sim_response(sim_request const&)> const& serve_item);

}  // namespace graphsim
