#include "graphsim/detail/batch.hpp"

#include "graphsim/detail/odata_query.hpp"
#include "graphsim/detail/text.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace graphsim {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

graph_failure invalid(std::string message) { return {400, "BadRequest", std::move(message)}; }

std::string string_of(rapidjson::Value const& v) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  return {};
}

rapidjson::Value const* member(rapidjson::Value const& obj, std::string_view name) {
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m)
    if (iequals({m->name.GetString(), m->name.GetStringLength()}, name)) return &m->value;
  return nullptr;
}

struct batch_item {
  std::string id;
  sim_request request;
  std::vector<std::string> depends_on;
  std::optional<graph_failure> invalid_url;
};

bool looks_like_json(std::string_view body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  return !d.HasParseError();
}

void write_item(writer& w, std::string const& id, sim_response const& res) {
  w.StartObject();
  w.Key("id"), w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
  w.Key("status"), w.Uint(res.status);
  w.Key("headers");
  w.StartObject();
  for (auto const& [name, value] : res.headers) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  if (!res.content_type.empty()) {
    w.Key("Content-Type");
    w.String(res.content_type.data(), static_cast<rapidjson::SizeType>(res.content_type.size()));
  }
  w.EndObject();
  if (!res.body.empty()) {
    w.Key("body");
    if (looks_like_json(res.body)) {
      w.RawValue(res.body.data(), res.body.size(), rapidjson::kObjectType);
    } else {
      // A body that is not JSON (a malformed fault) travels base64-encoded, as Graph sends non-JSON bodies.
      std::string const encoded = base64url_encode(res.body);
      w.String(encoded.data(), static_cast<rapidjson::SizeType>(encoded.size()));
    }
  }
  w.EndObject();
}

}  // namespace

boost::system::result<sim_response, graph_failure> run_batch(
    sim_request const& outer, std::function<sim_response(sim_request const&)> const& serve_item) {
  rapidjson::Document doc;
  doc.Parse(outer.body.data(), outer.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return invalid("Invalid batch payload format.");
  auto const* requests = member(doc, "requests");
  if (!requests || !requests->IsArray()) return invalid("Invalid batch payload format.");
  if (requests->Size() > max_batch_requests)
    return invalid("Invalid batch payload. The number of requests in a batch is limited to 20.");

  std::vector<batch_item> items;
  for (auto const& r : requests->GetArray()) {
    if (!r.IsObject()) return invalid("Invalid batch payload format.");
    batch_item item;
    auto const* id = member(r, "id");
    auto const* method = member(r, "method");
    auto const* url = member(r, "url");
    if (!id || string_of(*id).empty()) return invalid("Invalid batch payload: every request needs an 'id'.");
    item.id = string_of(*id);
    for (auto const& other : items)
      if (iequals(other.id, item.id))
        return invalid("Invalid batch payload: the request id '" + item.id + "' is used more than once.");
    if (!method || !method->IsString())
      return invalid("Invalid batch payload: request '" + item.id + "' needs a 'method'.");
    if (!url || !url->IsString()) return invalid("Invalid batch payload: request '" + item.id + "' needs a 'url'.");
    std::string const u(url->GetString(), url->GetStringLength());
    for (char c : std::string_view(method->GetString(), method->GetStringLength()))
      item.request.method.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (istarts_with(u, "http://") || istarts_with(u, "https://"))
      item.invalid_url = graph_failure{400, "BadRequest", "Invalid request URL: a batch request url must be relative."};
    item.request.target = (!u.empty() && u.front() == '/') ? "/v1.0" + u : "/v1.0/" + u;
    item.request.host = outer.host;
    if (auto auth = outer.header("authorization"))
      item.request.headers.emplace_back("authorization", std::string(*auth));
    if (auto const* headers = member(r, "headers"); headers && headers->IsObject())
      for (auto h = headers->MemberBegin(); h != headers->MemberEnd(); ++h)
        if (h->value.IsString())
          item.request.headers.emplace_back(to_lower({h->name.GetString(), h->name.GetStringLength()}),
                                            std::string(h->value.GetString(), h->value.GetStringLength()));
    if (auto const* body = member(r, "body")) {
      if (body->IsString()) {
        item.request.body.assign(body->GetString(), body->GetStringLength());
      } else {
        rapidjson::StringBuffer b;
        writer bw(b);
        body->Accept(bw);
        item.request.body.assign(b.GetString(), b.GetSize());
      }
    }
    if (auto const* deps = member(r, "dependsOn"); deps && deps->IsArray())
      for (auto const& d : deps->GetArray()) item.depends_on.push_back(string_of(d));
    items.push_back(std::move(item));
  }
  for (auto const& item : items)
    for (auto const& dep : item.depends_on) {
      bool known = false;
      for (auto const& other : items) known = known || iequals(other.id, dep);
      if (!known)
        return invalid("Invalid batch payload: request '" + item.id + "' depends on unknown id '" + dep + "'.");
    }

  // Items run in the given order on the server's one thread; dependsOn only decides 424s.
  std::map<std::string, unsigned> status_of;  // lower-case id -> status
  rapidjson::StringBuffer buffer;
  writer w(buffer);
  sim_response envelope;
  w.StartObject();
  w.Key("responses");
  w.StartArray();
  for (auto const& item : items) {
    sim_response res;
    bool failed_dependency = false;
    for (auto const& dep : item.depends_on) {
      auto it = status_of.find(to_lower(dep));
      failed_dependency = failed_dependency || it == status_of.end() || it->second >= 400;
    }
    if (failed_dependency) {
      res.status = 424;
      res.content_type = "application/json";
      res.body = R"({"error":{"code":"FailedDependency","message":"Failed Dependency"}})";
    } else if (item.invalid_url) {
      res.status = item.invalid_url->status;
      res.content_type = "application/json";
      res.body =
          R"({"error":{"code":"BadRequest","message":"Invalid request URL: a batch request url must be relative."}})";
    } else {
      res = serve_item(item.request);
    }
    if (!res.header("x-ms-resource-unit")) res.set_header("x-ms-resource-unit", "0");  // never ran: nothing charged
    status_of[to_lower(item.id)] = res.status;
    envelope.items += res.items;
    if (res.fault != wire_fault::none) envelope.fault = res.fault;
    envelope.delay_slow = envelope.delay_slow || res.delay_slow;
    write_item(w, item.id, res);
  }
  w.EndArray();
  w.EndObject();
  envelope.body.assign(buffer.GetString(), buffer.GetSize());
  return envelope;
}

}  // namespace graphsim
