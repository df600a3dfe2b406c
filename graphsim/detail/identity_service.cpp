#include "graphsim/detail/identity_service.hpp"

#include "graphsim/detail/text.hpp"
#include "graphsim/detail/token_service.hpp"

#include <boost/url/parse.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sys/stat.h>

namespace graphsim {
namespace {

constexpr std::size_t max_open_challenges = 100;

sim_response json_answer(unsigned status, std::string body) {
  sim_response res;
  res.status = status;
  res.body = std::move(body);
  res.content_type = "application/json; charset=utf-8";
  return res;
}

std::string json_string(std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buffer.GetString(), buffer.GetSize()};
}

// IMDS's (and Arc's) error body: {"error": "...", "error_description": "..."}.
sim_response imds_error(unsigned status, std::string_view error, std::string_view description) {
  return json_answer(status,
                     "{\"error\":" + json_string(error) + ",\"error_description\":" + json_string(description) + "}");
}

// App Service's error body: {"statusCode": n, "message": "..."}.
sim_response app_service_error(unsigned status, std::string_view message) {
  return json_answer(status,
                     "{\"statusCode\":" + std::to_string(status) + ",\"message\":" + json_string(message) + "}");
}

std::map<std::string, std::string> query_of(std::string_view target, std::string& path) {
  std::map<std::string, std::string> out;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return out;
  path = std::string(parsed->path());
  for (auto it = parsed->params().begin(); it != parsed->params().end(); ++it) {
    auto const p = *it;
    out.emplace(to_lower(p.key), std::string(p.value));
  }
  return out;
}

}  // namespace

identity_service::identity_service(token_service& tokens, identity_config config, std::uint64_t seed)
    : tokens_(tokens), config_(std::move(config)), rng_(seed ^ 0x6964656e74697479ull) {
  for (auto* id :
       {&config_.system_client_id, &config_.system_object_id, &config_.user_client_id, &config_.user_object_id})
    if (id->empty()) *id = random_guid(rng_);
  if (config_.user_resource_id.empty())
    config_.user_resource_id =
        "/subscriptions/" + random_guid(rng_) +
        "/resourceGroups/entra-audit/providers/Microsoft.ManagedIdentity/userAssignedIdentities/entra-audit-scanner";
  if (config_.identity_header.empty()) config_.identity_header = random_token(rng_, 32);
}

sim_response identity_service::challenge() {
  // As the Connected Machine agent does: a new key file per challenge, named in the realm.
  if (arc_keys_.size() >= max_open_challenges) arc_keys_.clear();
  std::string const key = random_token(rng_, 32);
  auto const file = config_.arc_key_dir / (random_guid(rng_) + ".key");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << key;
  }
  ::chmod(file.c_str(), 0600);
  arc_keys_.insert(key);
  auto res = imds_error(401, "unauthorized", "Authorization header is required");
  res.set_header("WWW-Authenticate", "Basic realm=" + file.string());
  return res;
}

sim_response identity_service::handle(identity_flavour flavour, sim_request const& req) {
  bool const app_service = flavour == identity_flavour::app_service;
  std::string path;
  auto query = query_of(req.target, path);
  std::string_view const expected = app_service ? "/msi/token" : "/metadata/identity/oauth2/token";
  if (!iequals(path, expected))
    return app_service ? app_service_error(404, "Not found") : imds_error(404, "not_found", "Not found");
  if (req.method != "GET") {
    auto res = app_service ? app_service_error(405, "Method not allowed")
                           : imds_error(405, "invalid_request", "Method not allowed");
    res.set_header("Allow", "GET");
    return res;
  }
  if (app_service) {
    if (req.header("x-identity-header").value_or("") != config_.identity_header)
      return app_service_error(400, "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
  } else if (!iequals(req.header("metadata").value_or(""), "true")) {
    return imds_error(400, "invalid_request", "Required metadata header not specified");
  }
  if (!query.contains("api-version"))
    return app_service ? app_service_error(400, "api-version is required")
                       : imds_error(400, "invalid_request", "Required query variable 'api-version' is missing");
  std::string const resource = query["resource"];
  if (resource.empty())
    return app_service ? app_service_error(400, "resource is required")
                       : imds_error(400, "invalid_request", "Required audience parameter not specified");

  // The identity asked for: none is the system-assigned one; the user-assigned one by any of its ids.
  std::string const* asked = nullptr;
  for (char const* name : {"client_id", "object_id", "principal_id", "msi_res_id", "mi_res_id"})
    if (auto it = query.find(name); it != query.end()) asked = &it->second;
  std::string app_id = config_.system_client_id;
  if (asked != nullptr) {
    if (flavour == identity_flavour::azure_arc)
      return imds_error(400, "invalid_request", "User assigned identity is not supported on Azure Arc");
    bool const known = iequals(*asked, config_.user_client_id) || iequals(*asked, config_.user_object_id) ||
                       iequals(*asked, config_.user_resource_id);
    if (!known)
      return app_service ? app_service_error(400, "Unable to find the requested identity.")
                         : imds_error(400, "invalid_request", "Identity not found");
    app_id = config_.user_client_id;
  }

  if (flavour == identity_flavour::azure_arc) {
    auto const authorization = req.header("authorization");
    if (!authorization || !istarts_with(*authorization, "Basic ")) return challenge();
    std::string const key(trim(authorization->substr(6)));
    if (arc_keys_.erase(key) == 0) return challenge();
  }
  if (!resource_is_valid(resource))
    return app_service
               ? app_service_error(
                     400, "AADSTS500011: The resource principal named " + resource + " was not found in the tenant.")
               : imds_error(400, "invalid_resource",
                            "AADSTS500011: The resource principal named " + resource + " was not found in the tenant.");

  std::string const token = tokens_.issue_identity_token(resource, app_id);
  ++issued_;
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto const lifetime = tokens_.lifetime().count();
  std::string const expires_on = std::to_string(now + lifetime);
  std::string body = "{\"access_token\":" + json_string(token) + ",\"client_id\":" + json_string(app_id) +
                     ",\"expires_on\":" + json_string(expires_on) + ",\"resource\":" + json_string(resource) +
                     ",\"token_type\":\"Bearer\"";
  if (!app_service)  // IMDS and Arc also say how long, and since when (all as strings)
    body += ",\"expires_in\":" + json_string(std::to_string(lifetime)) +
            ",\"ext_expires_in\":" + json_string(std::to_string(lifetime)) +
            ",\"not_before\":" + json_string(std::to_string(now));
  body += "}";
  return json_answer(200, std::move(body));
}

}  // namespace graphsim
