// graphsim/detail/routes.hpp — the Graph endpoints under /v1.0 (and /beta/admin/appsAndServices): which route a target
// names, and the handlers that answer them from the tenant (docs/graph.md §1–§7). Handlers write JSON straight into a
// StringBuffer, no DOM.
#pragma once

#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/odata_query.hpp"
#include "graphsim/detail/page_token.hpp"
#include "graphsim/detail/throttle.hpp"
#include "graphsim/server.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

class tenant;

enum class route_id {
  organization,
  users_list,
  users_delta,
  user_get,
  user_license_details,
  user_assign_license,
  subscribed_skus,
  subscriptions,
  authorization_policy,  // GET /v1.0/policies/authorizationPolicy
  apps_and_services,     // GET /beta/admin/appsAndServices (beta, global cloud only)
  group_get,             // GET /v1.0/groups/{id}
  groups_list,           // GET /v1.0/groups (the licensing groups of a SKU: $filter=assignedLicenses/any(...))
  batch,
  unknown,          // answered 400 "Resource not found for the segment"
  unknown_version,  // not under /v1.0: answered 404
};

struct route_match {
  route_id id = route_id::unknown;
  std::string user_key;     // {id|userPrincipalName}, percent-decoded
  std::string_view method;  // the one method the route allows
  std::string endpoint;     // the label of the request log, e.g. "GET /v1.0/users/{id}"
  std::string bad_segment;  // for unknown routes
  cost_class cost = cost_class::other;
};

// Which route target (origin form, e.g. "/v1.0/users/abc/licenseDetails?$select=skuId") names, matching
// path segments case-insensitively as Graph does.
route_match match_graph_route(std::string_view method, std::string_view target);

// A sorted users listing ($orderby), kept for the pages that follow: the last one built, for one query on
// one tenant version.
struct order_cache {
  std::uint64_t query = 0;           // the query's filter, search and orderby digest
  std::uint64_t version = ~0ull;     // tenant::version() it was built at
  std::vector<std::uint32_t> order;  // user indices, in the listing's order
};

// What a handler sees of one request.
struct route_context {
  tenant& t;
  page_token_codec const& codec;
  sim_request const& req;
  odata_query const& q;
  std::string const& base_url;  // scheme://host as the client addressed us (links and @odata.context)
  bool eventual = false;        // ConsistencyLevel: eventual
  sim_options const& options;   // advanced_queries, count_lag and the quirks
  order_cache& orders;
};

using route_result = boost::system::result<sim_response, graph_failure>;

// Runs the handler of a matched route (the method was checked by the caller; $batch is not a route here).
route_result run_route(route_match const& m, route_context const& c);

// The handlers (one file each group: routes_users.cpp, routes_delta.cpp, routes_directory.cpp).
route_result list_users(route_context const& c);
route_result get_user(route_context const& c, std::string_view key);
route_result list_license_details(route_context const& c, std::string_view key);
route_result assign_license(route_context const& c, std::string_view key);
route_result users_delta(route_context const& c);
route_result get_organization(route_context const& c);
route_result list_subscribed_skus(route_context const& c);
route_result list_subscriptions(route_context const& c);
route_result get_authorization_policy(route_context const& c);
route_result get_apps_and_services(route_context const& c);
route_result get_group(route_context const& c, std::string_view id);
route_result list_groups(route_context const& c);

// Shared by the handlers.
namespace route_detail {
// A JSON string literal (quoted and escaped).
std::string json_quote(std::string_view s);
// base_url + "/v1.0/$metadata#" + fragment.
std::string context_url(route_context const& c, std::string_view fragment);
// base_url + path + "?" + the query options that shape the result ($select, $top, $filter, $orderby,
// $search, $count) + token_name=token (none when token_name is empty): the absolute @odata.nextLink /
// @odata.deltaLink, or the link of a chain's first page.
std::string link(route_context const& c, std::string_view path, std::string_view token_name, std::string_view token);
// Graph's 400/501 for a $select naming an unknown property, or (in a collection) a single-user-only one.
std::optional<graph_failure> check_user_select(odata_query const& q, bool collection);
// The page size: $top in 1..999, else Graph's 400; default 100.
boost::system::result<unsigned, graph_failure> page_size(odata_query const& q);
// "users" or "users(a,b)": the @odata.context fragment for a user collection with this $select.
std::string users_fragment(odata_query const& q);
// Graph's 400 for a page token it did not issue for this query, or one that has expired.
graph_failure expired_page_token();
// True if a chain's page (1 = the first) is past what the expired-page-token-after quirk lets through.
bool page_token_expired(route_context const& c, std::uint64_t page);
}  // namespace route_detail

}  // namespace graphsim
