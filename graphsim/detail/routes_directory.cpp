// GET /organization, GET /subscribedSkus, GET /directory/subscriptions: small collections written whole,
// with $select applied by projecting the tenant's full objects.
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <rapidjson/document.h>

#include <functional>

namespace graphsim {
namespace {

using namespace route_detail;

using item_writer = std::function<void(json_writer&)>;

// Writes {"@odata.context":..., "value":[items]} keeping only the selected properties of each item. The
// collections are a few dozen objects: a DOM pass for $select costs nothing worth streaming for.
sim_response collection(route_context const& c, std::string_view fragment, item_writer const& items) {
  rapidjson::StringBuffer raw;
  json_writer rw(raw);
  rw.StartArray();
  items(rw);
  rw.EndArray();
  rapidjson::Document doc;
  doc.Parse(raw.GetString(), raw.GetSize());

  rapidjson::StringBuffer buffer;
  json_writer w(buffer);
  w.StartObject();
  std::string fragment_text(fragment);
  if (!c.q.select.empty()) fragment_text += "(" + c.q.select_text + ")";
  std::string const ctx = context_url(c, fragment_text);
  w.Key("@odata.context"), w.String(ctx.data(), static_cast<rapidjson::SizeType>(ctx.size()));
  w.Key("value");
  if (c.q.select.empty()) {
    w.RawValue(raw.GetString(), raw.GetSize(), rapidjson::kArrayType);
  } else {
    w.StartArray();
    for (auto const& item : doc.GetArray()) {
      w.StartObject();
      for (auto m = item.MemberBegin(); m != item.MemberEnd(); ++m) {
        std::string_view const name(m->name.GetString(), m->name.GetStringLength());
        bool keep = false;
        for (auto const& s : c.q.select) keep = keep || iequals(s, name);
        if (!keep) continue;
        w.Key(m->name.GetString(), m->name.GetStringLength());
        m->value.Accept(w);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  res.items = doc.Size();
  return res;
}

}  // namespace

route_result get_organization(route_context const& c) {
  return collection(c, "organization", [&](json_writer& w) { c.t.write_organization(w); });
}

route_result list_subscribed_skus(route_context const& c) {
  return collection(c, "subscribedSkus", [&](json_writer& w) { c.t.write_subscribed_skus(w); });
}

route_result list_subscriptions(route_context const& c) {
  return collection(c, "directory/subscriptions", [&](json_writer& w) { c.t.write_subscriptions(w); });
}

}  // namespace graphsim
