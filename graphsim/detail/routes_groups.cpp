// GET /v1.0/groups/{id}: the licensing groups' names, as a scan reads them for group_inherited findings
// (docs/graph.md §17), in the response shape of Microsoft's example.
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace graphsim {

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

}  // namespace graphsim
