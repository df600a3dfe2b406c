// scanner/detail/graph_limits.hpp — Graph's documented limits the scanner sizes its requests and buffers by, and the
// header of its advanced queries, declared once (graphsim/ keeps its own copies on purpose: it shares no code with
// the scanner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace scanner {

// Graph's maximum page size for /users without signInActivity (docs/graph.md §1): a chain lists this many users per
// round trip.
inline constexpr std::int64_t users_page_size = 999;

// The largest response body read from Graph: Beast's default is 8 MB, and a 999-user page can be larger.
inline constexpr std::size_t max_response_body = std::size_t{64} << 20;

// The header an advanced query ($count, and every page of a chain that asked for it) needs: without it Graph
// ignores $count silently (docs/scanning.md, "Advanced queries").
inline constexpr std::string_view advanced_query_header = "ConsistencyLevel";
inline constexpr std::string_view advanced_query_value = "eventual";

}  // namespace scanner
