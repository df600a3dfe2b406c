#include "graphsim/detail/routes.hpp"

#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <boost/url/parse.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

namespace graphsim {
namespace {

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (iequals(s, n)) return true;
  return false;
}

// Keeps the characters a query value may carry unencoded (RFC 3986 pchar + "/?") except the ones with a
// meaning inside a query ("&", "=", "+", "#"), so links stay readable: $select=id,displayName.
void append_query_encoded(std::string& out, std::string_view s) {
  constexpr std::string_view hex = "0123456789ABCDEF";
  for (unsigned char ch : s) {
    bool const plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                       std::string_view("-._~!$'()*,;:@/?").find(static_cast<char>(ch)) != std::string_view::npos;
    if (plain) {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(hex[ch >> 4]);
      out.push_back(hex[ch & 0xf]);
    }
  }
}

}  // namespace

route_match match_graph_route(std::string_view method, std::string_view target) {
  route_match m;
  auto parsed = boost::urls::parse_origin_form(target);
  std::vector<std::string> segs;
  if (parsed)
    for (auto s : parsed->segments()) segs.emplace_back(s);
  // The one beta endpoint the emulator serves; every other beta path stays an unknown version.
  if (segs.size() == 3 && iequals(segs[0], "beta") && iequals(segs[1], "admin") &&
      iequals(segs[2], "appsAndServices")) {
    m.id = route_id::apps_and_services;
    m.method = "GET";
    m.endpoint = "GET /beta/admin/appsAndServices";
    return m;
  }
  if (segs.empty() || !iequals(segs[0], "v1.0")) {
    m.id = route_id::unknown_version;
    m.endpoint = std::string(method) + " (unknown version)";
    m.bad_segment = segs.empty() ? "" : segs[0];
    return m;
  }
  segs.erase(segs.begin());
  if (!segs.empty() && segs.back().empty()) segs.pop_back();  // trailing slash
  auto set = [&](route_id id, std::string_view allowed, std::string label, cost_class cost = cost_class::other) {
    m.id = id;
    m.method = allowed;
    m.endpoint = std::string(allowed) + " /v1.0/" + label;
    m.cost = cost;
  };
  std::size_t const n = segs.size();
  if (n == 1 && iequals(segs[0], "organization")) set(route_id::organization, "GET", "organization");
  else if (n == 1 && iequals(segs[0], "users")) set(route_id::users_list, "GET", "users", cost_class::users_list);
  else if (n == 1 && iequals(segs[0], "subscribedSkus"))
    set(route_id::subscribed_skus, "GET", "subscribedSkus", cost_class::subscribed_skus);
  else if (n == 2 && iequals(segs[0], "directory") && iequals(segs[1], "subscriptions"))
    set(route_id::subscriptions, "GET", "directory/subscriptions");
  else if (n == 2 && iequals(segs[0], "policies") && iequals(segs[1], "authorizationPolicy"))
    set(route_id::authorization_policy, "GET", "policies/authorizationPolicy");
  else if (n == 1 && iequals(segs[0], "$batch")) set(route_id::batch, "POST", "$batch");
  else if (n == 1 && iequals(segs[0], "groups")) set(route_id::groups_list, "GET", "groups");
  else if (n == 2 && iequals(segs[0], "groups")) {
    set(route_id::group_get, "GET", "groups/{id}");
    m.user_key = segs[1];
  } else if (n == 2 && iequals(segs[0], "users") &&
             is_one_of(segs[1], {"delta", "delta()", "microsoft.graph.delta", "microsoft.graph.delta()"}))
    set(route_id::users_delta, "GET", "users/delta");
  else if (n == 2 && iequals(segs[0], "users")) {
    set(route_id::user_get, "GET", "users/{id}");
    m.user_key = segs[1];
  } else if (n == 3 && iequals(segs[0], "users") && iequals(segs[2], "licenseDetails")) {
    set(route_id::user_license_details, "GET", "users/{id}/licenseDetails", cost_class::license_details);
    m.user_key = segs[1];
  } else if (n == 3 && iequals(segs[0], "users") &&
             is_one_of(segs[2], {"assignLicense", "microsoft.graph.assignLicense"})) {
    set(route_id::user_assign_license, "POST", "users/{id}/assignLicense");
    m.user_key = segs[1];
  } else {
    m.id = route_id::unknown;
    m.method = method;
    m.endpoint = std::string(method) + " /v1.0/(unknown)";
    // Graph names the first segment it could not resolve.
    std::size_t bad = 0;
    if (n >= 1 && is_one_of(segs[0], {"users", "directory"})) bad = n >= 3 ? 2 : 1;
    m.bad_segment = bad < n ? segs[bad] : "";
  }
  return m;
}

route_result run_route(route_match const& m, route_context const& c) {
  switch (m.id) {
    case route_id::organization:
      return get_organization(c);
    case route_id::users_list:
      return list_users(c);
    case route_id::users_delta:
      return users_delta(c);
    case route_id::user_get:
      return get_user(c, m.user_key);
    case route_id::user_license_details:
      return list_license_details(c, m.user_key);
    case route_id::user_assign_license:
      return assign_license(c, m.user_key);
    case route_id::subscribed_skus:
      return list_subscribed_skus(c);
    case route_id::subscriptions:
      return list_subscriptions(c);
    case route_id::authorization_policy:
      return get_authorization_policy(c);
    case route_id::apps_and_services:
      return get_apps_and_services(c);
    case route_id::group_get:
      return get_group(c, m.user_key);
    case route_id::groups_list:
      return list_groups(c);
    case route_id::batch:
    case route_id::unknown:
    case route_id::unknown_version:
      break;
  }
  return graph_failure{400, "BadRequest", "Resource not found for the segment '" + m.bad_segment + "'."};
}

namespace route_detail {

std::string json_quote(std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

std::string context_url(route_context const& c, std::string_view fragment) {
  std::string out = c.base_url;
  out += "/v1.0/$metadata#";
  out += fragment;
  return out;
}

std::string link(route_context const& c, std::string_view path, std::string_view token_name, std::string_view token) {
  std::string out = c.base_url;
  out += path;
  char sep = '?';
  auto add = [&](std::string_view name, std::string_view value) {
    out.push_back(sep);
    sep = '&';
    out += name;
    out.push_back('=');
    append_query_encoded(out, value);
  };
  if (!c.q.select_text.empty()) add("$select", c.q.select_text);
  if (c.q.top) add("$top", std::to_string(*c.q.top));
  if (!c.q.filter_text.empty()) add("$filter", c.q.filter_text);
  if (!c.q.orderby_text.empty()) add("$orderby", c.q.orderby_text);
  if (!c.q.search_text.empty()) add("$search", c.q.search_text);
  if (c.q.count) add("$count", "true");
  if (!token_name.empty()) add(token_name, token);
  return out;
}

std::optional<graph_failure> check_user_select(odata_query const& q, bool collection) {
  for (auto const& name : q.select) {
    if (!tenant::is_user_property(name))
      return graph_failure{400, "Request_BadRequest",
                           "Could not find a property named '" + name + "' on type 'microsoft.graph.user'."};
  }
  if (collection)
    for (auto const& name : q.select)
      if (tenant::is_single_user_only_property(name))
        return graph_failure{501, "NotImplemented", "This operation target is not yet supported."};
  return std::nullopt;
}

boost::system::result<unsigned, graph_failure> page_size(odata_query const& q) {
  constexpr long long max_page = 999;  // docs/graph.md §1: default 100, maximum 999
  using page_result = boost::system::result<unsigned, graph_failure>;
  if (!q.top) return page_result(boost::system::in_place_value, 100u);
  if (*q.top < 1 || *q.top > max_page)
    return graph_failure{
        400, "Request_UnsupportedQuery",
        "Invalid page size specified: '" + std::to_string(*q.top) + "'. Must be between 1 and 999 inclusive."};
  return page_result(boost::system::in_place_value, static_cast<unsigned>(*q.top));
}

std::string users_fragment(odata_query const& q) {
  if (q.select.empty()) return "users";
  std::string out = "users(";
  for (std::size_t i = 0; i < q.select.size(); ++i) {
    if (i) out.push_back(',');
    out += q.select[i];
  }
  out.push_back(')');
  return out;
}

graph_failure expired_page_token() {
  return {400, "Directory_ExpiredPageToken",
          "The specified page token value has expired and can no longer be included in your request."};
}

bool page_token_expired(route_context const& c, std::uint64_t page) {
  std::uint64_t const limit = c.options.quirks.expired_page_token_after;
  return limit > 0 && page > limit;
}

}  // namespace route_detail
}  // namespace graphsim
