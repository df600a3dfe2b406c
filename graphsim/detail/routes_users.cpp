// GET /users, GET /users/{id}, GET /users/{id}/licenseDetails, POST /users/{id}/assignLicense.
#include "graphsim/detail/json_out.hpp"
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"
#include "graphsim/detail/user_filter.hpp"

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

// True if user i passes f; each property is read once however often f names it.
bool user_matches(tenant const& t, filter_node const& f, std::uint64_t i) {
  std::vector<std::pair<std::string_view, std::optional<std::string>>> seen;
  user_view const view{[&](std::string_view property) -> std::optional<std::string> {
                         for (auto const& [name, value] : seen)
                           if (name == property) return value;
                         seen.emplace_back(property, t.property_text(i, property));
                         return seen.back().second;
                       },
                       [&] { return t.sku_ids(i); }};
  return matches(f, view);
}

// What a listing selects: $filter and $search together (nullopt: everyone).
std::optional<filter_node> selection(odata_query const& q) {
  if (!q.filter) return q.search;
  if (!q.search) return q.filter;
  filter_node both;
  both.k = filter_node::kind::all_of;
  both.children = {*q.filter, *q.search};
  return both;
}

graph_failure needs_advanced(std::string_view op) {
  return {400, "Request_UnsupportedQuery",
          "Operator '" + std::string(op) +
              "' is not supported because the required parameters might be missing. Try adding $count=true query "
              "parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries "
              "for more information"};
}

// Graph's refusals of a listing's query before any user is read: the advanced-query rules of
// aad-advanced-queries.md (docs/graphsim.md, "Query options on /users"), then the quirks that narrow them.
std::optional<graph_failure> refuse_query(route_context const& c) {
  odata_query const& q = c.q;
  bool const advanced = c.eventual && q.count;
  if (!c.options.advanced_queries && (q.count || c.eventual))
    return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  if (q.search && !c.eventual)
    return graph_failure{400, "Request_UnsupportedQuery",
                         "Request with $search query parameter only works through MSGraph with a special request "
                         "header: 'ConsistencyLevel: eventual'"};
  if (q.filter) {
    if (c.options.quirks.no_range_filter && has_upn_range(*q.filter))
      return graph_failure{400, "Request_UnsupportedQuery",
                           "Unsupported or invalid query filter clause specified for property 'userPrincipalName' "
                           "of resource 'User'."};
    if (auto op = advanced_operator(*q.filter); !op.empty() && !advanced) return needs_advanced(op);
  }
  if (q.orderby) {
    bool const by_default =
        iequals(q.orderby->property, "userPrincipalName") || iequals(q.orderby->property, "displayName");
    if (!by_default && !iequals(q.orderby->property, "createdDateTime"))
      return graph_failure{400, "Request_UnsupportedQuery",
                           "Unsupported or invalid query orderby clause specified for property '" +
                               q.orderby->property + "' of resource 'User'."};
    // $orderby with $filter, and on createdDateTime, are advanced queries; $search already needs the header.
    if (!advanced && (q.filter || !by_default))
      return graph_failure{400, "Request_UnsupportedQuery", "Sorting not supported for current query."};
  }
  return std::nullopt;
}

// The users of a listing in its order, for $orderby: every match sorted by the property (ignoring ASCII
// case; nulls last), ties by index. Built once per query and tenant version.
std::vector<std::uint32_t> const& ordered_users(route_context const& c, std::optional<filter_node> const& f) {
  odata_query const& q = c.q;
  std::uint64_t const key = fnv1a(q.filter_text + '\n' + q.search_text + '\n' + q.orderby_text);
  order_cache& cache = c.orders;
  if (cache.query == key && cache.version == c.t.version()) return cache.order;
  std::vector<std::pair<std::optional<std::string>, std::uint32_t>> rows;
  for (std::uint64_t i = 0; i < c.t.index_end(); ++i)
    if (c.t.exists(i) && (!f || user_matches(c.t, *f, i)))
      rows.emplace_back(c.t.property_text(i, q.orderby->property), static_cast<std::uint32_t>(i));
  bool const descending = q.orderby->descending;
  std::stable_sort(rows.begin(), rows.end(), [&](auto const& a, auto const& b) {
    if (!a.first || !b.first) return a.first.has_value() && !b.first.has_value();
    int const c = icompare(*a.first, *b.first);
    return descending ? c > 0 : c < 0;
  });
  cache.query = key;
  cache.version = c.t.version();
  cache.order.clear();
  for (auto const& row : rows) cache.order.push_back(row.second);
  return cache.order;
}

struct picked_page {
  std::vector<std::uint64_t> users;
  std::optional<std::uint64_t> next;  // the position the next page starts at
};

// Up to size users of the listing from position: a user index, or with $orderby a place in the order.
picked_page pick_users(route_context const& c, std::optional<filter_node> const& f, std::uint64_t position,
                       std::size_t size) {
  picked_page out;
  tenant const& t = c.t;
  if (c.q.orderby) {
    auto const& order = ordered_users(c, f);
    std::uint64_t const end = std::min<std::uint64_t>(order.size(), position + size);
    for (std::uint64_t p = position; p < end; ++p) out.users.push_back(order[p]);
    if (end < order.size()) out.next = end;
    return out;
  }
  auto const prefix = f ? required_upn_prefix(*f) : std::nullopt;
  if (prefix) {
    // Only the users with the prefix are looked at (the tenant indexes them by first character, and by sorted
    // name for longer prefixes); a startswith alone is the index itself: no name needs to be made to test it.
    std::vector<std::uint32_t> longer;
    if (prefix->size() > 1) longer = t.users_with_upn_prefix(*prefix);
    auto const candidates =
        prefix->size() > 1 ? std::span<const std::uint32_t>(longer) : t.users_with_upn_initial((*prefix)[0]);
    bool const all_match = is_upn_startswith(*f);
    auto it = std::lower_bound(candidates.begin(), candidates.end(), position);
    for (; it != candidates.end() && out.users.size() < size; ++it)
      if (all_match || user_matches(t, *f, *it)) out.users.push_back(*it);
    while (it != candidates.end() && !all_match && !user_matches(t, *f, *it)) ++it;
    if (it != candidates.end()) out.next = *it;
    return out;
  }
  std::uint64_t const n = t.index_end();
  auto const wanted = [&](std::uint64_t i) { return t.exists(i) && (!f || user_matches(t, *f, i)); };
  std::uint64_t i = position;
  std::uint64_t examined = 0;
  for (; i < n && out.users.size() < size && examined < max_examined_per_page; ++i, ++examined)
    if (wanted(i)) out.users.push_back(i);
  // Look ahead to the next match so that the last page carries no nextLink.
  while (i < n && examined < max_examined_per_page && !wanted(i)) ++i, ++examined;
  if (i < n) out.next = i;
  return out;
}

// @odata.count: how many users the listing has. lag: how far the count of all users is behind (an
// eventually consistent index, the count-lag quirk).
std::uint64_t total_count(route_context const& c, std::optional<filter_node> const& f) {
  tenant const& t = c.t;
  if (c.q.orderby) return ordered_users(c, f).size();
  if (!f) return t.user_count() - std::min(t.user_count(), c.options.count_lag);
  if (is_upn_startswith(*f)) return t.count_upn_prefix(f->values[0]);
  if (f->k == filter_node::kind::license_count)
    return f->op == compare_op::ne ? t.count_licensed() : t.user_count() - t.count_licensed();
  std::uint64_t n = 0;
  if (auto const prefix = required_upn_prefix(*f)) {
    std::vector<std::uint32_t> longer;
    if (prefix->size() > 1) longer = t.users_with_upn_prefix(*prefix);
    for (std::uint64_t i :
         prefix->size() > 1 ? std::span<const std::uint32_t>(longer) : t.users_with_upn_initial((*prefix)[0]))
      n += user_matches(t, *f, i) ? 1 : 0;
    return n;
  }
  for (std::uint64_t i = 0; i < t.index_end(); ++i) n += t.exists(i) && user_matches(t, *f, i) ? 1 : 0;
  return n;
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
  sim_quirks const& quirks = c.options.quirks;
  if (auto bad = check_user_select(q, true)) return *bad;
  if (!q.unsupported.empty()) return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  auto size = page_size(q);
  if (!size) return size.error();
  if (auto refused = refuse_query(c)) return *refused;
  std::uint64_t position = 0;
  std::uint64_t page = 1;  // of the chain
  if (q.skiptoken) {
    auto token = c.codec.open(*q.skiptoken);
    if (!token || token->kind != page_kind::users || token->query_hash != q.shape_hash() ||
        page_token_expired(c, token->page))
      return expired_page_token();
    position = token->position;
    page = token->page;
  }

  auto const f = selection(q);
  // empty-page: a page with no users and a nextLink, as Graph's paging documents them.
  picked_page picked = quirks.empty_page == page ? picked_page{{}, position} : pick_users(c, f, position, *size);
  std::string next_link;
  if (picked.next)
    next_link = link(c, "/v1.0/users", "$skiptoken",
                     c.codec.seal({page_kind::users, *picked.next, 0, 0, q.shape_hash(), page + 1}));
  // Hostile quirks (docs/graphsim.md): a chain that never ends, a page that repeats users served before.
  if (quirks.nextlink_loop == page) next_link = link(c, "/v1.0/users", "", "");
  if (quirks.duplicate_users == page) {
    auto const again = pick_users(c, f, 0, 3).users;
    picked.users.insert(picked.users.end(), again.begin(), again.end());
  }

  constexpr std::size_t bytes_per_user = 1024;
  rapidjson::StringBuffer buffer(nullptr, std::max<std::size_t>(picked.users.size(), 1) * bytes_per_user);
  json_writer w(buffer);
  w.StartObject();
  key(w, "@odata.context"), str(w, context_url(c, users_fragment(q)));
  // $count without ConsistencyLevel: eventual is ignored, not refused (aad-advanced-queries.md); the count
  // is documented on the first page only.
  if (page == 1 && q.count && c.eventual && !quirks.no_count) key(w, "@odata.count"), w.Uint64(total_count(c, f));
  if (!next_link.empty()) key(w, "@odata.nextLink"), str(w, next_link);
  key(w, "value");
  w.StartArray();
  for (std::uint64_t i : picked.users) c.t.write_user(i, q.select, w);
  w.EndArray();
  w.EndObject();
  sim_response res;
  res.body = body_of(buffer);
  res.items = picked.users.size();
  // users-deleted-during-scan: the users scheduled for deletion go once a first page has been served.
  if (c.t.deletions_pending()) c.t.delete_scheduled_users();
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
  // licensedetails-forbidden: what the docs' "Application: Not supported" would mean for an app-only token.
  if (c.options.quirks.license_details_forbidden)
    return graph_failure{403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."};
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
  static std::vector<std::string> const returned{
      "id", "displayName", "userPrincipalName", "accountEnabled", "usageLocation", "assignedLicenses"};
  std::vector<std::string> select;
  for (auto const& p : returned)
    if (tenant::is_user_property(p)) select.push_back(p);
  sim_response res;
  res.body = entity_body(c, *i, select, "users/$entity");
  res.items = 1;
  return res;
}

}  // namespace graphsim
