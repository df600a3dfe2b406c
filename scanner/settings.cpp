#include "scanner/settings.hpp"

#include "scanner/endpoint.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace scanner {
namespace {

using env_fn = std::function<std::optional<std::string>(std::string_view)>;

// A setting and where it came from, so that errors can name the flag or variable to fix.
struct sourced {
  std::string value;
  std::string source;  // "--tenant-id" or "AZURE_TENANT_ID"
};

std::optional<std::string> env_value(const env_fn& getenv, std::string_view name) {
  if (!getenv) return std::nullopt;
  auto v = getenv(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

std::optional<sourced> pick(const std::string& flag_value, std::string_view flag, const env_fn& getenv,
                            std::string_view variable) {
  if (!flag_value.empty()) return sourced{flag_value, std::string(flag)};
  if (variable.empty()) return std::nullopt;
  if (auto v = env_value(getenv, variable)) return sourced{*v, std::string(variable)};
  return std::nullopt;
}

std::string trim_line_ends(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

base::result<std::string> read_small_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return base::usage_error(fmt::format("cannot read {} '{}': the file does not exist or is not readable", what, path));
  std::ostringstream text;
  text << in.rdbuf();
  return base::result<std::string>{boost::system::in_place_value, text.str()};
}

// Tenant ids go into URL paths: a GUID or a domain name, nothing that could change the path.
bool valid_name(std::string_view s) {
  return !s.empty() && s.size() <= 253 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// HTTPS_PROXY may omit the scheme ("proxy:3128"); only an http:// proxy (CONNECT over plain TCP) is supported.
base::result<std::string> validate_proxy(std::string value, std::string_view source) {
  if (value.find("://") == std::string::npos) value = "http://" + value;
  auto split = split_absolute_url(value);
  if (!split || split->where.tls)
    return base::usage_error(fmt::format(
        "{}: expected an http:// proxy URL such as http://proxy.example.com:3128 (TLS to the proxy is not supported)",
        source));
  return base::result<std::string>{boost::system::in_place_value, std::move(value)};
}

}  // namespace

std::optional<cloud_endpoints> endpoints_of_cloud(std::string_view cloud) {
  if (cloud.empty() || cloud == "global")
    return cloud_endpoints{"https://graph.microsoft.com", "https://login.microsoftonline.com"};
  if (cloud == "usgov") return cloud_endpoints{"https://graph.microsoft.us", "https://login.microsoftonline.us"};
  if (cloud == "usgov-dod")
    return cloud_endpoints{"https://dod-graph.microsoft.us", "https://login.microsoftonline.us"};
  if (cloud == "china")
    return cloud_endpoints{"https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"};
  return std::nullopt;
}

base::result<std::string> validate_service_url(std::string_view url, std::string_view what) {
  std::string value(url);
  while (!value.empty() && value.back() == '/') value.pop_back();
  auto split = split_absolute_url(value);
  if (!split) return base::usage_error(fmt::format("{}: {}", what, split.error().message));
  if (value.find_first_of("?#") != std::string::npos)
    return base::usage_error(fmt::format("{}: '{}' must not have a query or fragment", what, value));
  if (!split->where.tls && !is_loopback_host(split->where.host))
    return base::usage_error(fmt::format(
        "{}: plain http:// is accepted only for loopback hosts (127.0.0.1, ::1, localhost); use https:// for '{}'",
        what, split->where.host));
  return base::result<std::string>{boost::system::in_place_value, std::move(value)};
}

base::result<std::pair<connection_options, credentials>> resolve_settings(const auth_flags& flags,
                                                                           const env_fn& getenv) {
  connection_options options;
  credentials creds;

  auto tenant = pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID");
  if (!tenant) return base::usage_error("no tenant: set AZURE_TENANT_ID or pass --tenant-id");
  if (!valid_name(tenant->value))
    return base::usage_error(fmt::format("{}: '{}' is not a tenant id (GUID) or domain name", tenant->source,
                                         tenant->value.substr(0, 100)));
  creds.tenant_id = tenant->value;

  auto client = pick(flags.client_id, "--client-id", getenv, "AZURE_CLIENT_ID");
  if (!client) return base::usage_error("no application: set AZURE_CLIENT_ID or pass --client-id");
  if (!valid_name(client->value))
    return base::usage_error(
        fmt::format("{}: '{}' is not an application (client) id", client->source, client->value.substr(0, 100)));
  creds.client_id = client->value;

  // Exactly one credential. Flags win over the environment as a whole, so an exported variable never mixes
  // with a flag; two of the same kind are a contradiction the user must resolve.
  std::vector<std::string> flag_kinds;
  if (!flags.client_secret_file.empty()) flag_kinds.push_back("--client-secret-file");
  if (!flags.certificate.empty()) flag_kinds.push_back("--certificate");
  if (!flags.federated_token_file.empty()) flag_kinds.push_back("--federated-token-file");
  std::vector<std::string> env_kinds;
  for (std::string_view v : {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"})
    if (env_value(getenv, v)) env_kinds.emplace_back(v);
  auto const& kinds = flag_kinds.empty() ? env_kinds : flag_kinds;
  if (kinds.empty())
    return base::usage_error(
        "no credential: set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or pass "
        "--client-secret-file, --certificate or --federated-token-file");
  if (kinds.size() > 1)
    return base::usage_error(fmt::format("contradictory credentials: {} and {} are both set; keep only one", kinds[0],
                                         kinds[1]));
  std::string const& kind = kinds.front();
  if (kind == "--client-secret-file") {
    auto text = read_small_file(flags.client_secret_file, "--client-secret-file");
    if (!text) return text.error();
    creds.secret = trim_line_ends(std::move(*text));
    if (creds.secret->empty())
      return base::usage_error(fmt::format("--client-secret-file '{}' is empty", flags.client_secret_file));
  } else if (kind == "AZURE_CLIENT_SECRET") {
    creds.secret = *env_value(getenv, "AZURE_CLIENT_SECRET");
  } else if (kind == "--certificate" || kind == "AZURE_CLIENT_CERTIFICATE_PATH") {
    creds.certificate_path = kind == "--certificate" ? flags.certificate : *env_value(getenv, kind);
    if (!flags.certificate_password_file.empty()) {
      auto text = read_small_file(flags.certificate_password_file, "--certificate-password-file");
      if (!text) return text.error();
      creds.certificate_password = trim_line_ends(std::move(*text));
    } else if (auto pw = env_value(getenv, "AZURE_CLIENT_CERTIFICATE_PASSWORD")) {
      creds.certificate_password = *pw;
    }
    creds.certificate_rs256 = flags.rs256;
  } else {
    creds.federated_token_file = kind == "--federated-token-file" ? flags.federated_token_file : *env_value(getenv, kind);
  }
  if (!creds.certificate_path && !flags.certificate_password_file.empty())
    return base::usage_error("--certificate-password-file needs --certificate (or AZURE_CLIENT_CERTIFICATE_PATH)");
  if (!creds.certificate_path && flags.rs256)
    return base::usage_error("--rs256 needs --certificate (or AZURE_CLIENT_CERTIFICATE_PATH)");

  auto const cloud = endpoints_of_cloud(flags.cloud);
  if (!cloud)
    return base::usage_error(
        fmt::format("--cloud '{}': expected global, usgov, usgov-dod or china", flags.cloud.substr(0, 50)));
  auto graph = pick(flags.graph_endpoint, "--graph-endpoint", getenv, "");
  auto graph_url = validate_service_url(graph ? graph->value : cloud->graph_root, "--graph-endpoint");
  if (!graph_url) return graph_url.error();
  options.graph_endpoint = *graph_url;
  auto authority = pick(flags.authority_host, "--authority-host", getenv, "AZURE_AUTHORITY_HOST");
  auto authority_url = validate_service_url(authority ? authority->value : cloud->authority_host,
                                            authority ? authority->source : "--authority-host");
  if (!authority_url) return authority_url.error();
  options.authority_host = *authority_url;
  options.scope = options.graph_endpoint + "/.default";

  if (!flags.ca_file.empty()) {
    std::ifstream in(flags.ca_file);
    if (!in) return base::usage_error(fmt::format("cannot read --ca-file '{}': the file does not exist", flags.ca_file));
    options.ca_file = flags.ca_file;
  }
  for (std::string_view name : {"HTTPS_PROXY", "https_proxy"}) {
    if (auto proxy = env_value(getenv, name)) {
      auto checked = validate_proxy(*proxy, name);
      if (!checked) return checked.error();
      options.https_proxy = *checked;
      break;
    }
  }
  for (std::string_view name : {"NO_PROXY", "no_proxy"}) {
    if (auto list = env_value(getenv, name)) {
      options.no_proxy = *list;
      break;
    }
  }
  if (flags.timeout.count() <= 0) return base::usage_error("the network timeout must be positive");
  options.timeout = flags.timeout;
  return std::pair{std::move(options), std::move(creds)};
}

}  // namespace scanner
