#include "scanner/detail/managed_identity.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/detail/user_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace scanner {

namespace net = boost::asio;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::string_view token_path = "/metadata/identity/oauth2/token";

std::optional<std::string> env_value(const std::function<std::optional<std::string>(std::string_view)>& getenv,
                                     std::string_view name) {
  if (!getenv) return std::nullopt;
  auto v = getenv(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

// An endpoint from the environment: http(s), a host, no credentials in it. Not limited to loopback as the
// service URLs are: Azure's identity endpoints are plain http on link-local or container addresses by design.
base::result<std::string> checked_endpoint(std::string url, std::string_view variable) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto split = split_absolute_url(url);
  if (!split) return base::usage_error(fmt::format("{}: {}", variable, split.error().message));
  if (url.find('@') != std::string::npos || url.find_first_of("?#") != std::string::npos)
    return base::usage_error(
        fmt::format("{}: '{}' must be a plain URL (no user, query or fragment)", variable, url.substr(0, 100)));
  return base::result<std::string>{boost::system::in_place_value, std::move(url)};
}

bool is_resource_id(std::string_view id) { return !id.empty() && id.front() == '/'; }

// The query parameter each source documents for a user-assigned identity given by client id, object id or
// resource id (docs/graph.md §10.6).
std::string id_parameter(identity_source source, std::string_view kind) {
  bool const app_service = source == identity_source::app_service;
  if (kind == "client") return "client_id";
  if (kind == "object") return app_service ? "principal_id" : "object_id";
  return app_service ? "mi_res_id" : "msi_res_id";
}

std::string_view source_name(identity_source source) {
  switch (source) {
    case identity_source::app_service:
      return "App Service";
    case identity_source::azure_arc:
      return "Azure Arc";
    case identity_source::imds:
      break;
  }
  return "IMDS";
}

// What to check when the endpoint answers, but not as the platform's identity endpoint does.
std::string_view endpoint_fix(identity_source source) {
  switch (source) {
    case identity_source::app_service:
      return "check that IDENTITY_ENDPOINT names the platform's identity endpoint (App Service, Functions, Container "
             "Apps), or choose another --credential";
    case identity_source::azure_arc:
      return "check that IDENTITY_ENDPOINT names the Azure Connected Machine agent's endpoint, or choose another "
             "--credential";
    case identity_source::imds:
      break;
  }
  return "check that AZURE_POD_IDENTITY_AUTHORITY_HOST or IMDS_ENDPOINT, when set, names Azure's instance metadata "
         "service, or choose another --credential";
}

std::string_view api_version(identity_source source) {
  switch (source) {
    case identity_source::app_service:
      return "2019-08-01";
    case identity_source::azure_arc:
      return "2019-11-01";
    case identity_source::imds:
      break;
  }
  return "2018-02-01";
}

std::optional<long long> seconds_of(const rapidjson::Value& doc, const char* name) {
  auto const it = doc.FindMember(name);
  if (it == doc.MemberEnd()) return std::nullopt;
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (!it->value.IsString()) return std::nullopt;
  std::string_view const s(it->value.GetString(), it->value.GetStringLength());
  long long n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;  // e.g. an old App Service date
  return n;
}

std::string text_of(const rapidjson::Value& v, const char* name) {
  if (!v.IsObject()) return {};
  auto const it = v.FindMember(name);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::string first_line(std::string text) {
  if (auto nl = text.find_first_of("\r\n"); nl != std::string::npos) text.resize(nl);
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

}  // namespace

base::result<managed_identity_settings> resolve_managed_identity(
    const auth_flags& flags, const std::function<std::optional<std::string>(std::string_view)>& getenv) {
  managed_identity_settings s;
  s.test_no_imds = env_value(getenv, "ENTRA_AUDIT_TEST_NO_IMDS").value_or("0") != "0";
  s.arc_key_dir = env_value(getenv, "ENTRA_AUDIT_TEST_ARC_KEY_DIR").value_or(std::string(arc_key_directory));
  auto const identity_endpoint = env_value(getenv, "IDENTITY_ENDPOINT");
  auto const identity_header = env_value(getenv, "IDENTITY_HEADER");
  auto const imds_endpoint = env_value(getenv, "IMDS_ENDPOINT");
  if (identity_endpoint && identity_header) {
    auto url = checked_endpoint(*identity_endpoint, "IDENTITY_ENDPOINT");
    if (!url) return url.error();
    s.source = identity_source::app_service;
    s.token_url = *url;
    s.endpoint_from = "IDENTITY_ENDPOINT";
    s.identity_header = *identity_header;
  } else if (identity_endpoint && imds_endpoint) {
    auto url = checked_endpoint(*identity_endpoint, "IDENTITY_ENDPOINT");
    if (!url) return url.error();
    s.source = identity_source::azure_arc;
    s.token_url = *url;
    s.endpoint_from = "IDENTITY_ENDPOINT";
  } else {
    s.source = identity_source::imds;
    std::string base(imds_default_host);
    for (std::string_view variable : {"AZURE_POD_IDENTITY_AUTHORITY_HOST", "IMDS_ENDPOINT"}) {
      if (auto v = env_value(getenv, variable)) {
        auto url = checked_endpoint(*v, variable);
        if (!url) return url.error();
        base = *url;
        s.endpoint_from = variable;
        break;
      }
    }
    s.token_url = base + std::string(token_path);
  }

  if (!flags.managed_identity_client_id.empty() && !flags.managed_identity_object_id.empty())
    return base::usage_error(
        "--managed-identity-client-id and --managed-identity-object-id name two identities: keep only one");
  std::string kind, value, from;
  if (!flags.managed_identity_client_id.empty()) {
    value = flags.managed_identity_client_id, from = "--managed-identity-client-id";
    kind = is_resource_id(value) ? "resource" : "client";
  } else if (!flags.managed_identity_object_id.empty()) {
    value = flags.managed_identity_object_id, from = "--managed-identity-object-id", kind = "object";
  } else if (auto v = env_value(getenv, "AZURE_CLIENT_ID"); v && s.source != identity_source::azure_arc) {
    // As DefaultAzureCredential does: AZURE_CLIENT_ID names the user-assigned identity.
    value = *v, from = "AZURE_CLIENT_ID", kind = "client";
  }
  if (!value.empty()) {
    if (s.source == identity_source::azure_arc)
      return base::usage_error(
          fmt::format("{}: Azure Arc serves only the machine's system-assigned identity — drop {}", from, from));
    if (value.size() > 500 || value.find_first_of(" \t\r\n&?#") != std::string::npos)
      return base::usage_error(
          fmt::format("{}: '{}' is not a client id, object id or resource id", from, value.substr(0, 100)));
    s.id_parameter = id_parameter(s.source, kind);
    s.id_value = value;
  }
  return s;
}

std::string managed_identity_url(const managed_identity_settings& s, std::string_view resource) {
  std::string url =
      fmt::format("{}?api-version={}&resource={}", s.token_url, api_version(s.source), form_encode(resource));
  if (!s.id_parameter.empty()) url += fmt::format("&{}={}", s.id_parameter, form_encode(s.id_value));
  return url;
}

base::result<access_token> parse_managed_identity_token(std::string_view body,
                                                        std::chrono::system_clock::time_point now) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return base::runtime_error("the managed identity endpoint answered 200 with a body that is not a JSON object");
  auto const token = text_of(doc, "access_token");
  if (token.empty()) return base::runtime_error("the managed identity endpoint answered 200 without an access_token");
  if (auto const type = text_of(doc, "token_type"); !type.empty() && type != "Bearer" && type != "bearer")
    return base::runtime_error(
        fmt::format("the managed identity endpoint returned a '{}' token, expected Bearer", type.substr(0, 40)));
  // As Azure's SDKs do: a token without a lifetime is not guessed at (it would be reused after it expired).
  long long seconds = 0;
  auto const epoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto on = seconds_of(doc, "expires_on")) seconds = *on - epoch;
  else if (auto in = seconds_of(doc, "expires_in")) seconds = *in;
  else
    return base::runtime_error(
        "the managed identity endpoint answered 200 without expires_on or expires_in: the token's lifetime is unknown");
  access_token out;
  out.value = token;
  out.lifetime = std::chrono::seconds{std::max(seconds, 1LL)};
  return out;
}

std::string describe_managed_identity_error(unsigned status, std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  std::string code, message;
  if (!doc.HasParseError() && doc.IsObject()) {
    if (auto const e = doc.FindMember("error"); e != doc.MemberEnd() && e->value.IsObject()) {
      code = text_of(e->value, "code"), message = text_of(e->value, "message");
    } else {
      code = text_of(doc, "error"), message = text_of(doc, "error_description");
      if (message.empty()) message = text_of(doc, "message");
      if (message.empty()) message = text_of(doc, "Message");
    }
  }
  std::string line = fmt::format("HTTP {}", status);
  if (!code.empty()) line += " " + first_line(code);
  if (!message.empty()) line += ": " + first_line(message);
  return base::redact(line);
}

base::result<std::string> read_arc_key(std::string_view www_authenticate, const std::string& key_dir) {
  namespace fs = std::filesystem;
  auto const eq = www_authenticate.find('=');
  if (!www_authenticate.starts_with("Basic realm=") || eq == std::string_view::npos)
    return base::runtime_error(
        "Azure Arc's 401 did not name a key file (expected WWW-Authenticate: Basic realm=<path>) — check "
        "IDENTITY_ENDPOINT");
  fs::path const named(std::string(www_authenticate.substr(eq + 1)));
  std::error_code ec;
  // Resolved first, so that neither ".." nor a symbolic link can point the check at another file.
  auto const file = fs::canonical(named, ec);
  std::error_code dir_ec;
  auto const dir_real = fs::canonical(fs::path(key_dir), dir_ec);
  if (ec || dir_ec || file.parent_path() != dir_real || file.extension() != ".key")
    return base::runtime_error(fmt::format(
        "Azure Arc's challenge names '{}', which is not a .key file in {}: refusing to send it — check that "
        "IDENTITY_ENDPOINT is the Connected Machine agent's",
        named.string().substr(0, 200), key_dir));
  if (!fs::is_regular_file(file, ec) || fs::file_size(file, ec) > max_arc_key_size || ec)
    return base::runtime_error(
        fmt::format("Azure Arc's key file '{}' is not a regular file of at most {} bytes: refusing to send it",
                    file.string().substr(0, 200), max_arc_key_size));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof())
    return base::runtime_error(fmt::format(
        "cannot read Azure Arc's key file '{}': run entra-audit as a member of the himds group (or as root)",
        file.string().substr(0, 200)));
  std::string key = text.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.empty())
    return base::runtime_error(fmt::format("Azure Arc's key file '{}' is empty", file.string().substr(0, 200)));
  return base::result<std::string>{boost::system::in_place_value, std::move(key)};
}

std::string describe_managed_identity(const managed_identity_settings& s) {
  auto const split = split_absolute_url(s.token_url);
  std::string const where = split ? split->where.origin() : s.token_url;
  std::string const identity =
      s.id_parameter.empty() ? "system-assigned" : fmt::format("user-assigned {}={}", s.id_parameter, s.id_value);
  return fmt::format("managed identity ({} at {}, {})", source_name(s.source), where, identity);
}

managed_identity_provider::managed_identity_provider(net::any_io_executor ex, net::ssl::context& tls,
                                                     const connection_options& options, managed_identity_settings s,
                                                     std::string resource)
    : settings_(std::move(s)),
      resource_(std::move(resource)),
      options_(options),
      pool_(std::move(ex), tls,
            connection_settings{.timeout = options.timeout,
                                .connect_timeout = identity_connect_timeout,
                                .body_limit = std::size_t{1} << 20,
                                .https_proxy = std::nullopt,
                                .no_proxy = {}},
            2) {
  if (!settings_.identity_header.empty())
    base::register_secret(settings_.identity_header, base::secret_kind::credential);
}

net::awaitable<base::result<access_token>> managed_identity_provider::fetch() {
  auto const url = managed_identity_url(settings_, resource_);
  auto split = split_absolute_url(url);
  if (!split) co_return base::usage_error(fmt::format("managed identity: {}", split.error().message));
  std::string const origin = split->where.origin();
  // Tests and demos never reach a real identity endpoint (docs/security.md): only loopback ones are contacted.
  if (settings_.test_no_imds && !is_loopback_host(split->where.host))
    co_return base::usage_error(
        fmt::format("managed identity: not contacting {} because ENTRA_AUDIT_TEST_NO_IMDS is set (test-only)", origin));
  std::string failure;
  int challenges = 0;
  for (int attempt = 1;;) {
    http::request<http::string_body> req{http::verb::get, split->target, 11};
    req.set(http::field::user_agent, user_agent());
    req.set(http::field::accept, "application/json");
    if (settings_.source == identity_source::app_service) req.set("X-IDENTITY-HEADER", settings_.identity_header);
    else req.set("Metadata", "true");
    if (arc_key_) req.set(http::field::authorization, "Basic " + *arc_key_);
    auto response = co_await pool_.send(split->where, std::move(req));
    std::optional<std::chrono::milliseconds> retry_after;
    if (!response) {
      if (!answered_)
        co_return base::usage_error(fmt::format(
            "managed identity: no {} answered at {} ({}) — not on Azure, or no managed identity here: run on an "
            "Azure VM, App Service, Container App or Arc machine with an identity, or choose another --credential",
            source_name(settings_.source), origin, response.error().message));
      if (!response.error().retryable)
        co_return base::runtime_error(fmt::format("managed identity at {}: {}", origin, response.error().message));
      failure = response.error().message;
    } else {
      answered_ = true;
      auto const header = [&response](std::string_view name) -> std::optional<std::string_view> {
        for (auto const& [n, v] : response->headers)
          if (n == name) return std::string_view(v);
        return std::nullopt;
      };
      if (response->status == 200) {
        auto token = parse_managed_identity_token(response->body, std::chrono::system_clock::now());
        if (!token)  // a 200 that is not a token: asking again gets the same answer
          co_return base::runtime_error(fmt::format("managed identity at {}: {} — {}", origin, token.error().message,
                                                    endpoint_fix(settings_.source)));
        if (auto usable = check_token_value(token->value); !usable) co_return usable.error();
        co_return token;
      } else if (response->status == 401 && settings_.source == identity_source::azure_arc && challenges++ == 0) {
        auto key = read_arc_key(header("www-authenticate").value_or(""), settings_.arc_key_dir);
        if (!key) co_return key.error();
        base::register_secret(*key, base::secret_kind::credential);
        arc_key_ = std::move(*key);
        continue;  // the challenge answered: not a failed attempt
      } else if (is_retryable_status(response->status) || response->status == 404 || response->status == 410) {
        // IMDS documents 404 and 410 while the identity is being set up, and 429 / 5xx: all retried.
        failure = fmt::format("HTTP {}", response->status);
        if (auto ra = header("retry-after")) retry_after = parse_retry_after(*ra, std::chrono::system_clock::now());
      } else {
        auto const line = describe_managed_identity_error(response->status, response->body);
        std::string const fix = response->status == 400 && !settings_.id_parameter.empty()
                                    ? fmt::format("check that {} {} is assigned to this resource",
                                                  settings_.id_parameter, settings_.id_value)
                                    : "check that a managed identity is enabled for this resource";
        co_return base::usage_error(
            base::redact(fmt::format("managed identity at {} refused the token request: {} — {}", origin, line, fix)));
      }
    }
    if (attempt >= max_attempts)
      co_return base::runtime_error(base::redact(
          fmt::format("cannot get a managed identity token from {}: {} after {} attempts — try again later; if it "
                      "persists, {}",
                      origin, failure, attempt, endpoint_fix(settings_.source))));
    auto const delay = backoff_delay(attempt, retry_after, rng_, options_.backoff_base);
    ++attempt;
    base::log(base::log_level::warn,
              "managed identity token request to {} failed ({}); retrying in {:.1f} s (attempt {} of {})", origin,
              failure, std::chrono::duration<double>(delay).count(), attempt, max_attempts);
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace scanner
