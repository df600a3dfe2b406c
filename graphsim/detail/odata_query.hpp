// graphsim/detail/odata_query.hpp — the OData query options the emulator understands ($select, $top, $filter,
// $orderby, $search, $count, $skiptoken, $deltatoken), parsed from a request target with Boost.URL.
#pragma once

#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/user_filter.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace graphsim {

// One $orderby key of /users.
struct order_key {
  std::string property;  // as Graph spells it, e.g. "displayName"
  bool descending = false;
};

struct odata_query {
  std::vector<std::string> select;    // property names as given, trimmed, empty entries dropped
  std::string select_text;            // the raw $select value (echoed into nextLink and @odata.context)
  std::optional<long long> top;       // range checks are the route's (users: 1..999)
  std::string filter_text;            // the raw $filter value
  std::optional<filter_node> filter;  // $filter parsed (users' filter language)
  std::string orderby_text;           // the raw $orderby value
  std::optional<order_key> orderby;
  std::string search_text;            // the raw $search value
  std::optional<filter_node> search;  // $search as the filter it amounts to (docs/graphsim.md)
  bool count = false;
  std::optional<std::string> skiptoken;
  std::optional<std::string> deltatoken;
  std::vector<std::string> unsupported;  // other system options that were given ($expand, $format, ...)

  // A stable digest of the options that shape a result set (not the tokens): page tokens carry it, so a
  // token replayed with another query is refused.
  std::uint64_t shape_hash() const;
};

// Throwing on a failed result is a programming error (callers test the result first).
[[noreturn]] void throw_exception_from_error(graph_failure const& e, boost::source_location const& loc);

// Parses the query part of target (origin form, e.g. "/v1.0/users?$top=5"), or Graph's 400 for a malformed,
// repeated or non-numeric option. Query values are percent-decoded, '+' read as a space (form encoding);
// unknown $filter, $orderby or $search shapes are refused with Request_UnsupportedQuery.
boost::system::result<odata_query, graph_failure> parse_odata_query(std::string_view target);

}  // namespace graphsim
