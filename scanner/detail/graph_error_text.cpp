#include "scanner/detail/graph_error_text.hpp"

#include "base/redact.hpp"

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

namespace scanner {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (auto const& m : object.GetObject())
    if (iequals(std::string_view(m.name.GetString(), m.name.GetStringLength()), name)) return &m.value;
  return nullptr;
}

std::string string_member(const rapidjson::Value& object, std::string_view name) {
  auto const* v = member(object, name);
  if (v == nullptr || !v->IsString()) return {};
  // Redacted before it is cut: a cut secret would no longer be recognised (docs/security.md).
  return base::redact(std::string_view(v->GetString(), v->GetStringLength())).substr(0, 500);
}

std::string first_line(std::string s) {
  if (auto const end = s.find_first_of("\r\n"); end != std::string::npos) s.resize(end);
  return s;
}

}  // namespace

graph_error_body parse_graph_error(std::string_view body) {
  graph_error_body out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return out;
  auto const* error = member(doc, "error");
  if (error == nullptr || !error->IsObject()) return out;
  out.code = string_member(*error, "code");
  out.message = first_line(string_member(*error, "message"));
  // innerError may nest (docs/graph.md §12): take the first request-id on the way down.
  const rapidjson::Value* inner = member(*error, "innerError");
  for (int depth = 0; inner != nullptr && inner->IsObject() && depth < 8; ++depth) {
    if (out.request_id.empty()) out.request_id = string_member(*inner, "request-id");
    inner = member(*inner, "innerError");
  }
  return out;
}

std::string permission_for(std::string_view url) {
  auto const path = url.substr(0, url.find('?'));
  if (path.find("/licenseDetails") != std::string_view::npos) return "licenseDetails";
  if (path.find("/policies/authorizationPolicy") != std::string_view::npos) return "Policy.Read.All";
  if (path.find("/admin/appsAndServices") != std::string_view::npos) return "OrgSettings-AppsAndServices.Read.All";
  if (path.find("/subscribedSkus") != std::string_view::npos ||
      path.find("/directory/subscriptions") != std::string_view::npos ||
      path.find("/organization") != std::string_view::npos)
    return "Organization.Read.All";
  if (path.find("/users") != std::string_view::npos) return "User.Read.All";
  if (path.find("/groups") != std::string_view::npos) return "GroupMember.Read.All";
  return {};
}

std::string admin_consent_url(std::string_view authority_host, std::string_view tenant_id, std::string_view client_id) {
  return fmt::format("{}/{}/adminconsent?client_id={}", authority_host, tenant_id, client_id);
}

std::string hint_for_status(unsigned status, std::string_view url, std::string_view authority_host,
                            std::string_view tenant_id, std::string_view client_id) {
  switch (status) {
    case 403: {
      auto const consent = admin_consent_url(authority_host, tenant_id, client_id);
      auto const permission = permission_for(url);
      if (permission == "licenseDetails")
        return fmt::format(
            "licenseDetails is not supported with application permissions; use --license-details "
            "derived (admin consent: {})",
            consent);
      if (permission.empty())
        return fmt::format("the app lacks an application permission for this call; grant it and admin consent at {}",
                           consent);
      return fmt::format("the app needs the application permission {} with admin consent: {}", permission, consent);
    }
    case 401:
      return "the token was refused twice; check the app's credentials and tenant";
    case 404:
      return "the resource does not exist in this tenant";
    case 429:
      return "Graph kept throttling the app; try again later or lower --concurrency";
    case 500:
    case 502:
    case 503:
    case 504:
      return "Graph is unavailable; try again later";
    default:
      return {};
  }
}

std::string describe_redirect(std::string_view what, unsigned status, std::optional<std::string_view> location,
                              redirected_service service) {
  constexpr std::size_t max_location = 200;
  std::string target = location && !location->empty() ? base::redact(*location) : "nowhere (no Location header)";
  if (target.size() > max_location) target = target.substr(0, max_location) + "…";
  auto const fix = service == redirected_service::graph
                       ? "check --graph-endpoint or --cloud (the Graph root, e.g. https://graph.microsoft.com), or "
                         "whether a proxy or captive portal answers instead of Graph"
                       : "check --authority-host, AZURE_AUTHORITY_HOST or --cloud (the login host, e.g. "
                         "https://login.microsoftonline.com), or whether a proxy or captive portal answers instead of "
                         "the login service";
  return fmt::format("{} was redirected ({}) to {} — redirects are never followed, so that no {} goes elsewhere; {}",
                     what, status, target, service == redirected_service::graph ? "token" : "credential", fix);
}

}  // namespace scanner
