// GET /v1.0/groups/{id} and GET /v1.0/groups: the licensing groups' names, as a scan reads them for group_inherited
// findings (docs/graph.md §17), in the response shape of Microsoft's examples.
#include "graphsim/detail/json_out.hpp"
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace graphsim {
namespace {

using json_out::key;

// The properties the emulator keeps of a group: the rest of Graph's group resource is not modelled, so a $select
// naming it is refused as Graph refuses an unknown one.
constexpr std::string_view group_properties[] = {"id", "displayName"};

std::optional<graph_failure> check_group_select(odata_query const& q) {
  for (auto const& name : q.select)
    if (std::none_of(std::begin(group_properties), std::end(group_properties),
                     [&](std::string_view p) { return iequals(p, name); }))
      return graph_failure{400, "Request_BadRequest",
                           "Could not find a property named '" + name + "' on type 'microsoft.graph.group'."};
  return std::nullopt;
}

bool selected(odata_query const& q, std::string_view property) {
  return q.select.empty() ||
         std::any_of(q.select.begin(), q.select.end(), [&](std::string const& s) { return iequals(s, property); });
}

graph_failure unsupported_filter(std::string_view property) {
  return {400, "Request_UnsupportedQuery",
          "Unsupported or invalid query filter clause specified for property '" + std::string(property) +
              "' of resource 'Group'."};
}

}  // namespace

route_result get_group(route_context const& c, std::string_view id) {
  auto const name = c.t.group_name(id);
  if (!name)
    return graph_failure{404, "Request_ResourceNotFound",
                         "Resource '" + std::string(id) +
                             "' does not exist or one of its queried reference-property objects are not present."};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  std::string const ctx = route_detail::context_url(c, "groups(id,displayName)/$entity");
  w.StartObject();
  w.Key("@odata.context"), w.String(ctx.c_str());
  std::string const canonical = to_lower(id);  // Graph answers with the object id as it stores it
  w.Key("id"), w.String(canonical.c_str());
  w.Key("displayName"), w.String(name->data(), static_cast<rapidjson::SizeType>(name->size()));
  w.EndObject();
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  res.content_type = "application/json";
  return res;
}

// The tenant's groups are its licensing groups; the one filter served is the group resource's documented
// `assignedLicenses/any(x:x/skuId eq GUID)` (groups that assign that SKU), with or without the advanced-query
// parameters (docs/graphsim.md, "Endpoints").
route_result list_groups(route_context const& c) {
  odata_query const& q = c.q;
  if (auto bad = check_group_select(q)) return *bad;
  if (!q.unsupported.empty() || q.search || q.orderby)
    return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  if (!c.options.advanced_queries && (q.count || c.eventual))
    return graph_failure{400, "Request_UnsupportedQuery", "Unsupported Query."};
  auto size = route_detail::page_size(q);
  if (!size) return size.error();
  std::optional<std::string_view> sku;
  if (q.filter) {
    if (q.filter->k != filter_node::kind::has_sku) return unsupported_filter(q.filter->property);
    if (c.options.quirks.no_group_license_filter) return unsupported_filter("assignedLicenses");
    sku = q.filter->values.front();
  }
  std::uint64_t position = 0;
  std::uint64_t page = 1;
  if (q.skiptoken) {
    auto token = c.codec.open(*q.skiptoken);
    if (!token || token->kind != page_kind::groups || token->query_hash != q.shape_hash())
      return route_detail::expired_page_token();
    position = token->position;
    page = token->page;
  }
  auto const groups = c.t.licensing_groups(sku);
  auto const first = std::min<std::uint64_t>(position, groups.size());
  auto const end = std::min<std::uint64_t>(first + *size, groups.size());

  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  std::string fragment = "groups";
  if (!q.select.empty()) fragment += "(" + q.select_text + ")";
  std::string const ctx = route_detail::context_url(c, fragment);
  key(w, "@odata.context"), w.String(ctx.data(), static_cast<rapidjson::SizeType>(ctx.size()));
  if (page == 1 && q.count && c.eventual && !c.options.quirks.no_count) key(w, "@odata.count"), w.Uint64(groups.size());
  if (end < groups.size()) {
    std::string const next = route_detail::link(c, "/v1.0/groups", "$skiptoken",
                                                c.codec.seal({page_kind::groups, end, 0, 0, q.shape_hash(), page + 1}));
    key(w, "@odata.nextLink"), w.String(next.data(), static_cast<rapidjson::SizeType>(next.size()));
  }
  key(w, "value");
  w.StartArray();
  for (auto i = first; i < end; ++i) {
    auto const& [id, name] = groups[i];
    w.StartObject();
    if (selected(q, "id")) key(w, "id"), w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
    if (selected(q, "displayName"))
      key(w, "displayName"), w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  res.items = end - first;
  return res;
}

}  // namespace graphsim
