#include "graphsim/detail/token_service.hpp"

#include "graphsim/detail/graph_error.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <map>

namespace graphsim {
namespace {

constexpr std::string_view jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr std::string_view device_code_grant = "urn:ietf:params:oauth:grant-type:device_code";
// The Azure CLI's public client, which entra-audit's device-code sign-in uses unless told otherwise.
constexpr std::string_view azure_cli_client_id = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
constexpr std::size_t max_live_tokens = 10000;  // beyond this, expired tokens are swept on the next issue

// Resources whose "/.default" scope the emulator accepts: every national Graph root (docs/graph.md §11), Graph's
// app id, and any loopback URL (the emulator's own root, as a client configured with it would ask).
bool scope_is_valid(std::string_view scope) {
  scope = trim(scope);
  if (scope.find(' ') != std::string_view::npos) {
    // Several scopes: only "/.default" plus OpenID ones may accompany it (one resource per request).
    std::string_view rest = scope;
    bool seen_default = false;
    while (!rest.empty()) {
      auto const sp = rest.find(' ');
      std::string_view const one = rest.substr(0, sp);
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
      if (one.empty() || iequals(one, "openid") || iequals(one, "profile") || iequals(one, "offline_access")) continue;
      if (seen_default || !scope_is_valid(one)) return false;
      seen_default = true;
    }
    return seen_default;
  }
  constexpr std::string_view suffix = "/.default";
  if (!iends_with(scope, suffix)) return false;
  std::string_view resource = scope.substr(0, scope.size() - suffix.size());
  while (!resource.empty() && resource.back() == '/') resource.remove_suffix(1);
  constexpr std::array<std::string_view, 5> graph_roots{
      "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us",
      "https://microsoftgraph.chinacloudapi.cn", "00000003-0000-0000-c000-000000000000"};
  for (auto root : graph_roots)
    if (iequals(resource, root)) return true;
  auto url = boost::urls::parse_uri(resource);
  if (!url) return false;
  std::string const host = to_lower(url->host());
  return (iequals(url->scheme(), "http") || iequals(url->scheme(), "https")) &&
         (host == "127.0.0.1" || host == "localhost" || host == "[::1]");
}

// The resource of a valid scope (its "/.default" entry without the suffix): the token's aud, as Entra sets it.
std::string_view resource_of(std::string_view scope) {
  constexpr std::string_view suffix = "/.default";
  std::string_view rest = trim(scope);
  while (!rest.empty()) {
    auto const sp = rest.find(' ');
    std::string_view one = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    if (!iends_with(one, suffix)) continue;
    one.remove_suffix(suffix.size());
    while (!one.empty() && one.back() == '/') one.remove_suffix(1);
    return one;
  }
  return {};
}

std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  // In a form '+' is a space (a literal plus arrives as %2B); Boost.URL 1.81's space_as_plus view does not
  // link, so spell the spaces out before decoding.
  std::string text(body);
  for (std::size_t at = text.find('+'); at != std::string::npos; at = text.find('+', at)) text.replace(at, 1, "%20");
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return out;
  for (auto it = parsed->begin(); it != parsed->end(); ++it) {
    auto const p = *it;
    out.emplace(p.key.decode(), p.value.decode());
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> basic_credentials(std::optional<std::string_view> header) {
  if (!header || !istarts_with(*header, "Basic ")) return std::nullopt;
  auto decoded = base64url_decode(trim(header->substr(6)));
  if (!decoded) return std::nullopt;
  auto const colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  // RFC 6749 §2.3.1: both parts are form-encoded before base64.
  auto id = parse_form("a=" + decoded->substr(0, colon));
  auto secret = parse_form("a=" + decoded->substr(colon + 1));
  return std::pair{id["a"], secret["a"]};
}

}  // namespace

bool resource_is_valid(std::string_view resource) {
  return !resource.empty() && resource.find(' ') == std::string_view::npos &&
         scope_is_valid(std::string(resource) + "/.default");
}

token_service::token_service(tenant const& t, cert_registry certs, unsigned lifetime_s, std::uint64_t seed,
                             std::vector<std::string> roles, device_code_timing timing, bool require_x5c)
    : tenant_(t),
      certs_(std::move(certs)),
      lifetime_(lifetime_s),
      rng_(seed ^ 0x746f6b656e73ull),
      roles_(std::move(roles)),
      // A person signs in through the Azure CLI's public client by default, or the tenant's own application when
      // it allows public client flows; .default grants what a scan reads.
      grants_(std::chrono::seconds(timing.interval_s), std::chrono::seconds(timing.expiry_s),
              {std::string(azure_cli_client_id), t.client_id()}, {"User.Read.All", "Organization.Read.All"},
              seed ^ 0x6772616e7473ull),
      require_x5c_(require_x5c) {}

sim_response token_service::error(unsigned status, std::string_view error, unsigned code, std::string_view description,
                                  std::string const& trace_id, std::string const& correlation_id) const {
  sim_response res;
  res.status = status;
  res.body = aadsts_error_body(error, code, description, trace_id, correlation_id);
  return res;
}

std::string token_service::claims(std::string_view resource, std::string_view app_id, bool certificate) const {
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string const aud(resource);
  std::string const iss = "https://sts.windows.net/" + tenant_.tenant_id() + "/";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto text = [&w](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  text("aud", aud);
  text("iss", iss);
  w.Key("iat"), w.Int64(now);
  w.Key("nbf"), w.Int64(now);
  w.Key("exp"), w.Int64(now + lifetime_.count());
  text("appid", app_id);
  text("appidacr", certificate ? "2" : "1");  // 1: client secret, 2: certificate (or federated assertion)
  text("idtyp", "app");
  if (!roles_.empty()) {  // Entra leaves the claim out when the app holds no application permission
    w.Key("roles");
    w.StartArray();
    for (auto const& r : roles_) w.String(r.data(), static_cast<rapidjson::SizeType>(r.size()));
    w.EndArray();
  }
  text("tid", tenant_.tenant_id());
  text("ver", "1.0");
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string token_service::remember(std::string token, std::vector<std::string> permissions) {
  auto const now = clock::now();
  if (tokens_.size() >= max_live_tokens)
    std::erase_if(tokens_, [&](auto const& kv) { return kv.second.expiry <= now; });
  tokens_[token] = issued_token{now + lifetime_, std::move(permissions)};
  ++issued_;
  return token;
}

std::string token_service::new_token(std::string_view resource, std::string_view app_id, bool certificate) {
  return remember(base64url_encode(R"({"typ":"JWT","alg":"RS256","kid":"graphsim"})") + "." +
                      base64url_encode(claims(resource, app_id, certificate)) + "." + random_token(rng_, 48),
                  roles_);
}

std::string token_service::delegated_claims(delegated_grant const& grant) const {
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto text = [&w](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  std::string scp;
  for (auto const& s : grant.scopes) scp += (scp.empty() ? "" : " ") + s;
  w.StartObject();
  text("aud", grant.resource);
  text("iss", "https://sts.windows.net/" + tenant_.tenant_id() + "/");
  w.Key("iat"), w.Int64(now);
  w.Key("nbf"), w.Int64(now);
  w.Key("exp"), w.Int64(now + lifetime_.count());
  text("appid", grant.client_id);
  text("appidacr", "0");  // a public client: no client authentication
  text("idtyp", "user");
  text("name", "Audit Operator");
  text("scp", scp);
  text("tid", tenant_.tenant_id());
  text("upn", "auditor@" + tenant_.default_domain());
  text("ver", "1.0");
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string token_service::mint_delegated(delegated_grant const& grant, std::string const& refresh_token) {
  std::string const token = remember(base64url_encode(R"({"typ":"JWT","alg":"RS256","kid":"graphsim"})") + "." +
                                         base64url_encode(delegated_claims(grant)) + "." + random_token(rng_, 48),
                                     grant.scopes);
  std::string scope;
  for (auto const& s : grant.scopes) scope += (scope.empty() ? "" : " ") + grant.resource + "/" + s;
  if (!refresh_token.empty()) scope += " offline_access";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto const seconds = static_cast<unsigned>(lifetime_.count());
  w.StartObject();
  w.Key("token_type"), w.String("Bearer");
  w.Key("scope"), w.String(scope.c_str());
  w.Key("expires_in"), w.Uint(seconds);
  w.Key("ext_expires_in"), w.Uint(seconds);
  w.Key("access_token"), w.String(token.data(), static_cast<rapidjson::SizeType>(token.size()));
  if (!refresh_token.empty()) w.Key("refresh_token"), w.String(refresh_token.c_str());
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string token_service::issue_identity_token(std::string_view resource, std::string_view app_id) {
  return new_token(resource, app_id, true);
}

sim_response token_service::issue(std::string_view scope, bool certificate) {
  std::string const token = new_token(resource_of(scope), tenant_.client_id(), certificate);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto const seconds = static_cast<unsigned>(lifetime_.count());
  w.StartObject();
  w.Key("token_type"), w.String("Bearer");
  w.Key("expires_in"), w.Uint(seconds);
  w.Key("ext_expires_in"), w.Uint(seconds);
  w.Key("access_token"), w.String(token.data(), static_cast<rapidjson::SizeType>(token.size()));
  w.EndObject();
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  return res;
}

sim_response token_service::finish(sim_response res, sim_request const& req, std::string const& trace_id) const {
  res.content_type = "application/json; charset=utf-8";
  res.set_header("Cache-Control", "no-store, no-cache");
  res.set_header("Pragma", "no-cache");
  res.set_header("x-ms-request-id", trace_id);
  res.set_header("client-request-id", std::string(req.header("client-request-id").value_or(trace_id)));
  return res;
}

std::optional<sim_response> token_service::refuse_tenant(std::string_view tenant_segment, bool delegated,
                                                         sim_request const& req, std::string const& trace_id) const {
  // A person may sign in at /organizations or /common (any work or school account); an application may not.
  if (iequals(tenant_segment, tenant_.tenant_id()) || iequals(tenant_segment, tenant_.default_domain())) return {};
  if (delegated && (iequals(tenant_segment, "organizations") || iequals(tenant_segment, "common"))) return {};
  return finish(error(400, "invalid_request", 90002,
                      "Tenant '" + std::string(tenant_segment) +
                          "' not found. Check to make sure you have the correct tenant ID and are signing into the "
                          "correct cloud. Check with your subscription administrator, this may happen if there are "
                          "no active subscriptions for the tenant.",
                      trace_id, trace_id),
                req, trace_id);
}

sim_response token_service::handle_device_code(sim_request const& req, std::string_view tenant_segment) {
  std::string const trace_id = random_guid(rng_);
  if (req.method != "POST")
    return finish(error(400, "invalid_request", 900561, "The endpoint only accepts POST requests.", trace_id, trace_id),
                  req, trace_id);
  if (auto refused = refuse_tenant(tenant_segment, true, req, trace_id)) return *refused;
  auto const outcome = grants_.authorize_device(parse_form(req.body), clock::now());
  sim_response res;
  res.status = outcome.status;
  res.body = outcome.error.empty()
                 ? outcome.body
                 : aadsts_error_body(outcome.error, outcome.aadsts, outcome.description, trace_id, trace_id);
  return finish(std::move(res), req, trace_id);
}

sim_response token_service::handle(sim_request const& req, std::string_view tenant_segment) {
  std::string const trace_id = random_guid(rng_);
  std::string const correlation_id = std::string(req.header("client-request-id").value_or(random_guid(rng_)));
  auto finish = [&](sim_response res) { return this->finish(std::move(res), req, trace_id); };
  if (req.method != "POST")
    return finish(error(400, "invalid_request", 900561,
                        "The endpoint only accepts POST requests. Received a " + req.method + " request.", trace_id,
                        correlation_id));
  auto form = parse_form(req.body);
  if (auto basic = basic_credentials(req.header("authorization"))) {
    form.emplace("client_id", basic->first);
    form.emplace("client_secret", basic->second);
  }
  auto missing = [&](char const* name) {
    return finish(error(400, "invalid_request", 900144,
                        std::string("The request body must contain the following parameter: '") + name + "'.", trace_id,
                        correlation_id));
  };
  if (!form.contains("grant_type")) return missing("grant_type");
  bool const device = form["grant_type"] == device_code_grant;
  if (device || form["grant_type"] == "refresh_token") {
    if (auto refused = refuse_tenant(tenant_segment, true, req, trace_id)) return *refused;
    if (!form.contains("client_id")) return missing("client_id");
    auto const mint = [this](delegated_grant const& g, std::string const& refresh) {
      return mint_delegated(g, refresh);
    };
    auto const outcome =
        device ? grants_.redeem_device_code(form, clock::now(), mint) : grants_.redeem_refresh_token(form, mint);
    if (!outcome.error.empty())
      return finish(
          error(outcome.status, outcome.error, outcome.aadsts, outcome.description, trace_id, correlation_id));
    sim_response res;
    res.body = outcome.body;
    return finish(std::move(res));
  }
  if (auto refused = refuse_tenant(tenant_segment, false, req, trace_id)) return *refused;
  if (form["grant_type"] != "client_credentials")
    return finish(error(400, "unsupported_grant_type", 70003,
                        "The app requested an unsupported grant type '" + form["grant_type"] + "'.", trace_id,
                        correlation_id));
  if (!form.contains("client_id")) return missing("client_id");
  std::string const& client_id = form["client_id"];
  if (!iequals(client_id, tenant_.client_id()))
    return finish(error(400, "unauthorized_client", 700016,
                        "Application with identifier '" + client_id + "' was not found in the directory '" +
                            tenant_.tenant_name() +
                            "'. This can happen if the application has not been installed by the administrator of "
                            "the tenant or consented to by any user in the tenant. You may have sent your "
                            "authentication request to the wrong tenant.",
                        trace_id, correlation_id));
  if (!form.contains("scope")) return missing("scope");
  if (!scope_is_valid(form["scope"]))
    return finish(error(400, "invalid_scope", 70011,
                        "The provided value for the input parameter 'scope' is not valid. The scope " + form["scope"] +
                            " is not valid.",
                        trace_id, correlation_id));
  if (form.contains("client_assertion") || form.contains("client_assertion_type")) {
    if (form["client_assertion_type"] != jwt_bearer)
      return finish(error(400, "invalid_request", 50027 /* closest documented code */,
                          "Invalid client_assertion_type: expected " + std::string(jwt_bearer) + ".", trace_id,
                          correlation_id));
    assertion_expectation expect;
    expect.client_id = tenant_.client_id();
    expect.tenant_keys = {tenant_.tenant_id(), tenant_.default_domain()};
    expect.require_x5c = require_x5c_;
    expect.now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    auto verdict = verify_client_assertion(form["client_assertion"], certs_, expect);
    if (!verdict)
      return finish(
          error(401, "invalid_client", verdict.error().aadsts, verdict.error().description, trace_id, correlation_id));
    return finish(issue(form["scope"], true));
  }
  if (!form.contains("client_secret"))
    return finish(error(401, "invalid_client", 7000218,
                        "The request body must contain the following parameter: 'client_assertion' or "
                        "'client_secret'.",
                        trace_id, correlation_id));
  if (form["client_secret"] != tenant_.client_secret())
    return finish(error(401, "invalid_client", 7000215,
                        "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                        "secret value, not the client secret ID, for a secret added to app '" +
                            tenant_.client_id() + "'.",
                        trace_id, correlation_id));
  return finish(issue(form["scope"], false));
}

bearer_check token_service::check(std::optional<std::string_view> authorization, clock::time_point now) const {
  if (!authorization) return {bearer_state::missing, {}};
  std::string_view value = trim(*authorization);
  if (!istarts_with(value, "Bearer")) return {bearer_state::invalid, {}};
  value = trim(value.substr(6));
  if (value.empty()) return {bearer_state::missing, {}};
  auto it = tokens_.find(std::string(value));
  if (it == tokens_.end()) return {bearer_state::invalid, {}};
  if (it->second.expiry <= now) return {bearer_state::expired, {}};
  return {bearer_state::valid, it->second.roles};
}

}  // namespace graphsim
