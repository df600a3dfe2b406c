// graphsim/odata_query.hpp — the OData query options the emulator understands ($select, $top, $filter,
// $count, $skiptoken, $deltatoken), parsed from a request target with Boost.URL.
#pragma once

#include "graphsim/http_types.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graphsim {

// The $filter expressions the emulator evaluates on /users.
enum class user_filter : std::uint8_t {
  none,
  upn_startswith,  // startswith(userPrincipalName,'x'), optionally `and [not(]userPrincipalName le 'y'[)]`
  licensed,        // assignedLicenses/$count ne 0 (advanced query)
  unlicensed,      // assignedLicenses/$count eq 0 (advanced query)
};

struct odata_query {
  std::vector<std::string> select;  // property names as given, trimmed, empty entries dropped
  std::string select_text;          // the raw $select value (echoed into nextLink and @odata.context)
  std::optional<long long> top;     // range checks are the route's (users: 1..999)
  user_filter filter = user_filter::none;
  std::string filter_text;          // the raw $filter value
  std::string filter_value;         // startswith prefix
  // A range beside the prefix: userPrincipalName le upn_le (or, with upn_above, not that); an advanced query.
  std::optional<std::string> upn_le;
  bool upn_above = false;
  bool count = false;
  std::optional<std::string> skiptoken;
  std::optional<std::string> deltatoken;
  std::vector<std::string> unsupported;  // other system options that were given ($orderby, $expand, ...)

  // A stable digest of the options that shape a result set (not the tokens): page tokens carry it, so a
  // token replayed with another query is refused.
  std::uint64_t shape_hash() const;
};

// Throwing on a failed result is a programming error (callers test the result first).
[[noreturn]] void throw_exception_from_error(graph_failure const& e, boost::source_location const& loc);

// Parses the query part of target (origin form, e.g. "/v1.0/users?$top=5"), or Graph's 400 for a malformed,
// repeated or non-numeric option. Unknown $filter shapes are refused with Request_UnsupportedQuery.
boost::system::result<odata_query, graph_failure> parse_odata_query(std::string_view target);

}  // namespace graphsim
