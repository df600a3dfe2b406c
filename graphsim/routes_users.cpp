// GET /users, GET /users/{id}, GET /users/{id}/licenseDetails, POST /users/{id}/assignLicense.
#include "graphsim/json_out.hpp"
#include "graphsim/routes.hpp"
#include "graphsim/tenant.hpp"
#include "graphsim/text.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace graphsim {
namespace {

using namespace route_detail;

// A filtered page examines at most this many users, then answers with what it found and a nextLink (Graph
// may return short or empty pages too), so no request holds the thread for long.
constexpr std::uint64_t max_examined_per_page = 250'000;

using json_out::key;
void str(json_writer& w, std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); }

std::string body_of(rapidjson::StringBuffer const& b) { return {b.GetString(), b.GetSize()}; }

graph_failure not_found(std::string_view key) {
  return {404, "Request_ResourceNotFound",
          "Resource '" + std::string(key) +
              "' does not exist or one of its queried reference-property objects are not present."};
}

// userPrincipalName le bound, compared without regard to ASCII case as startswith is (Graph does not document
// its collation; the halves `le` and `not(le)` partition a shard whatever it is).
bool upn_in_range(odata_query const& q, std::string_view upn) {
  if (!q.upn_le) return true;
  auto const lower = [](char c) { return static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c))); };
  std::string_view const bound = *q.upn_le;
  bool const le = std::lexicographical_compare(bound.begin(), bound.end(), upn.begin(), upn.end(),
                                               [&](char a, char b) { return lower(a) < lower(b); }) == false;
  return le != q.upn_above;
}

bool matches(tenant const& t, odata_query const& q, std::uint64_t i) {
  switch (q.filter) {
    case user_filter::none: return true;
    case user_filter::upn_startswith: {
      std::string const upn = t.user_principal_name(i);
      return istarts_with(upn, q.filter_value) && upn_in_range(q, upn);
    }
    case user_filter::licensed: return t.has_licenses(i);
    case user_filter::unlicensed: return !t.has_licenses(i);
  }
  return false;
}

// lag: how far the count of all users is behind (an eventually consistent index).
std::uint64_t total_count(tenant const& t, odata_query const& q, std::uint64_t lag) {
  switch (q.filter) {
    case user_filter::none: return t.user_count() - std::min(t.user_count(), lag);
    case user_filter::upn_startswith: {
      if (!q.upn_le || q.filter_value.empty()) return t.count_upn_prefix(q.filter_value);
      std::uint64_t n = 0;
      for (std::uint64_t i : t.users_with_upn_initial(q.filter_value[0])) n += matches(t, q, i) ? 1 : 0;
      return n;
    }
    case user_filter::licensed: return t.count_licensed();
    case user_filter::unlicensed: return t.user_count() - t.count_licensed();
  }
  return 0;
}

// Writes user i's object with "@odata.context" first, as Graph's single-entity answers have it.
std::string entity_body(route_context const& c, std::uint64_t i, std::span<const std::string> select,
                        std::string_view fragment) {
  rapidjson::StringBuffer user;
  json_writer w(user);
  c.t.write_user(i, select, w);
  std::string body = "{\"@odata.context\":" + json_quote(context_url(c, fragment));
  std::string_view const rest(user.GetString() + 1, user.GetSize() - 1);  // drop the user's '{'
  if (rest != "}") body.push_back(',');
  body += rest;
  return body;
}

}  // namespace

route_result list_users(route_context const& c) {
  odata_query const& q = c.q;
  if (auto bad = check_user_select(q, true)) return *bad;
  if (!q.unsupported.empty()) return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  auto size = page_size(q);
  if (!size) return size.error();
  bool const advanced_filter =
      q.filter == user_filter::licensed || q.filter == user_filter::unlicensed || q.upn_le.has_value();
  if (advanced_filter && !(c.eventual && q.count))
    return graph_failure{400, "Request_UnsupportedQuery",
                         std::string("Operator '") +
                             (q.upn_le ? (q.upn_above ? "not" : "le") : q.filter == user_filter::licensed ? "ne" : "eq") +
                             "' is not supported because the required parameters might be missing. Try adding "
                             "$count=true query parameter and ConsistencyLevel:eventual header. Refer to "
                             "https://aka.ms/graph-docs/advanced-queries for more information"};
  if (q.count && !c.eventual) return graph_failure{400, "Request_BadRequest", "$count is not currently supported."};
  if (!c.advanced_queries && (q.count || c.eventual))
    return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  std::uint64_t position = 0;
  bool first_page = true;
  if (q.skiptoken) {
    auto token = c.codec.open(*q.skiptoken);
    if (!token || token->kind != page_kind::users || token->query_hash != q.shape_hash()) return expired_page_token();
    position = token->position;
    first_page = false;
  }

  std::uint64_t const n = c.t.user_count();
  std::vector<std::uint64_t> picked;
  std::optional<std::uint64_t> next;
  if (q.filter == user_filter::none) {
    std::uint64_t const end = std::min<std::uint64_t>(n, position + *size);
    for (std::uint64_t i = position; i < end; ++i) picked.push_back(i);
    if (end < n) next = end;
  } else if (q.filter == user_filter::upn_startswith && !q.filter_value.empty()) {
    // Only the users with the prefix's first character are looked at (the tenant indexes them).
    auto const candidates = c.t.users_with_upn_initial(q.filter_value[0]);
    // A one-character prefix without a range is the index itself: no name needs to be made to test it.
    bool const all_match = q.filter_value.size() == 1 && !q.upn_le;
    auto it = std::lower_bound(candidates.begin(), candidates.end(), position);
    for (; it != candidates.end() && picked.size() < *size; ++it)
      if (all_match || matches(c.t, q, *it)) picked.push_back(*it);
    while (it != candidates.end() && !all_match && !matches(c.t, q, *it)) ++it;
    if (it != candidates.end()) next = *it;
  } else {
    std::uint64_t i = position;
    std::uint64_t examined = 0;
    for (; i < n && picked.size() < *size && examined < max_examined_per_page; ++i, ++examined)
      if (matches(c.t, q, i)) picked.push_back(i);
    // Look ahead to the next match so that the last page carries no nextLink.
    while (i < n && examined < max_examined_per_page && !matches(c.t, q, i)) ++i, ++examined;
    if (i < n) next = i;
  }

  constexpr std::size_t bytes_per_user = 1024;
  rapidjson::StringBuffer buffer(nullptr, std::max<std::size_t>(picked.size(), 1) * bytes_per_user);
  json_writer w(buffer);
  w.StartObject();
  key(w, "@odata.context"), str(w, context_url(c, users_fragment(q)));
  if (first_page && q.count) key(w, "@odata.count"), w.Uint64(total_count(c.t, q, c.count_lag));
  if (next) {
    page_token token{page_kind::users, *next, 0, 0, q.shape_hash()};
    key(w, "@odata.nextLink"), str(w, link(c, "/v1.0/users", "$skiptoken", c.codec.seal(token)));
  }
  key(w, "value");
  w.StartArray();
  for (std::uint64_t i : picked) c.t.write_user(i, q.select, w);
  w.EndArray();
  w.EndObject();
  sim_response res;
  res.body = body_of(buffer);
  res.items = picked.size();
  return res;
}

route_result get_user(route_context const& c, std::string_view user_key) {
  if (auto bad = check_user_select(c.q, false)) return *bad;
  auto i = c.t.find_user(user_key);
  if (!i) return not_found(user_key);
  sim_response res;
  res.body = entity_body(c, *i, c.q.select, users_fragment(c.q) + "/$entity");
  res.items = 1;
  return res;
}

route_result list_license_details(route_context const& c, std::string_view user_key) {
  auto i = c.t.find_user(user_key);
  if (!i) return not_found(user_key);
  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  key(w, "@odata.context"), str(w, context_url(c, "users('" + std::string(user_key) + "')/licenseDetails"));
  key(w, "value");
  w.StartArray();
  c.t.write_license_details(*i, w);
  w.EndArray();
  w.EndObject();
  sim_response res;
  res.body = body_of(buffer);
  res.items = 1;
  return res;
}

route_result assign_license(route_context const& c, std::string_view user_key) {
  auto i = c.t.find_user(user_key);
  if (!i) return not_found(user_key);
  graph_failure const unreadable{400, "Request_BadRequest",
                                 "Unable to read JSON request payload. Please ensure Content-Type header is set and "
                                 "payload is of valid JSON format."};
  rapidjson::Document body;
  body.Parse(c.req.body.data(), c.req.body.size());
  if (body.HasParseError() || !body.IsObject()) return unreadable;
  std::vector<license_to_add> add;
  std::vector<std::string> remove;
  for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m) {
    std::string_view const name(m->name.GetString(), m->name.GetStringLength());
    if (iequals(name, "addLicenses")) {
      if (!m->value.IsArray()) return unreadable;
      for (auto const& item : m->value.GetArray()) {
        if (!item.IsObject()) return unreadable;
        license_to_add one;
        for (auto f = item.MemberBegin(); f != item.MemberEnd(); ++f) {
          std::string_view const field(f->name.GetString(), f->name.GetStringLength());
          if (iequals(field, "skuId") && f->value.IsString()) one.sku_id = f->value.GetString();
          if (iequals(field, "disabledPlans") && f->value.IsArray())
            for (auto const& p : f->value.GetArray())
              if (p.IsString()) one.disabled_plans.emplace_back(p.GetString());
        }
        if (one.sku_id.empty()) return unreadable;
        add.push_back(std::move(one));
      }
    } else if (iequals(name, "removeLicenses")) {
      if (!m->value.IsArray()) return unreadable;
      for (auto const& item : m->value.GetArray()) {
        if (!item.IsString()) return unreadable;
        remove.emplace_back(item.GetString());
      }
    }
  }
  if (!body.HasMember("addLicenses") || !body.HasMember("removeLicenses"))
    return graph_failure{400, "Request_BadRequest",
                         "One or more parameters of the function import 'assignLicense' are missing from the request "
                         "payload. The missing parameters are: " +
                             std::string(body.HasMember("addLicenses") ? "removeLicenses" : "addLicenses") + "."};
  auto outcome = c.t.assign_license(*i, add, remove);
  if (outcome.status != 200) return graph_failure{outcome.status, outcome.code, outcome.message};
  // Graph answers with the user object; the license fields are what the caller wants to see.
  static std::vector<std::string> const returned{"id", "displayName", "userPrincipalName", "accountEnabled",
                                                 "usageLocation", "assignedLicenses"};
  std::vector<std::string> select;
  for (auto const& p : returned)
    if (tenant::is_user_property(p)) select.push_back(p);
  sim_response res;
  res.body = entity_body(c, *i, select, "users/$entity");
  res.items = 1;
  return res;
}

}  // namespace graphsim
