#include "scanner/parse_error.hpp"

#include "scanner/json_read.hpp"

namespace scanner {

graph_error_info parse_graph_error(std::string_view body) {
  graph_error_info info;
  rapidjson::Document doc;
  if (!json::parse(doc, body, "error body")) return info;
  auto const* error = json::member(doc, "error");
  if (error == nullptr || !error->IsObject()) return info;
  info.code = json::string_or_empty(*error, "code");
  info.message = json::string_or_empty(*error, "message");
  // innerError may be spelt innererror and may nest; the first request-id found is the one support asks for.
  for (auto const* inner = json::member_nocase(*error, "innerError"); inner != nullptr && inner->IsObject();
       inner = json::member_nocase(*inner, "innerError")) {
    if (auto const* id = json::member_nocase(*inner, "request-id"); id != nullptr && id->IsString()) {
      info.request_id.assign(id->GetString(), id->GetStringLength());
      break;
    }
  }
  return info;
}

}  // namespace scanner
