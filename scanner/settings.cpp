#include "scanner/settings.hpp"

#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/managed_identity.hpp"
#include "scanner/token_cache.hpp"

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
    return base::usage_error(
        fmt::format("cannot read {} '{}': the file does not exist or is not readable", what, path));
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

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string host_of(const std::string& url) {
  auto split = split_absolute_url(url);
  return split ? lower(split->where.host) : std::string();
}

// The clouds whose login host this is (docs/graph.md §11; the US Government clouds share one), or none for any other
// host (the emulator, a test server): those are never checked against the cloud.
std::vector<std::string_view> clouds_of_login_host(std::string_view host) {
  if (host == "login.microsoftonline.com" || host == "login.windows.net") return {"global"};
  if (host == "login.microsoftonline.us") return {"usgov", "usgov-dod"};
  if (host == "login.chinacloudapi.cn" || host == "login.partner.microsoftonline.cn") return {"china"};
  return {};
}

// The cloud whose Graph root this is, if it is one.
std::optional<std::string_view> cloud_of_graph_host(std::string_view host) {
  for (std::string_view cloud : {"global", "usgov", "usgov-dod", "china"})
    if (host_of(endpoints_of_cloud(cloud)->graph_root) == host) return cloud;
  return std::nullopt;
}

bool contains(const std::vector<std::string_view>& clouds, std::string_view cloud) {
  return std::find(clouds.begin(), clouds.end(), cloud) != clouds.end();
}

// How a person calls a cloud in a message.
std::string_view cloud_label(std::string_view cloud) {
  if (cloud == "usgov" || cloud == "usgov-dod") return "US Government";
  if (cloud == "china") return "China";
  return "global";
}

// The cloud whose defaults fill in what was not given: --cloud, else the one the Graph endpoint or the login host
// (e.g. AZURE_AUTHORITY_HOST=https://login.microsoftonline.us) names, else global. Hosts of two different clouds
// are a usage error naming both: a token from one cloud is refused by the others (docs/graph.md §11).
base::result<cloud_endpoints> pick_cloud(const std::string& cloud_flag, const std::optional<std::string>& graph_url,
                                         const std::optional<std::string>& authority_url,
                                         const std::string& authority_source) {
  auto const login_clouds =
      authority_url ? clouds_of_login_host(host_of(*authority_url)) : std::vector<std::string_view>{};
  auto const graph_cloud = graph_url ? cloud_of_graph_host(host_of(*graph_url)) : std::nullopt;
  auto const mismatch = [](std::string_view one, std::string_view one_cloud, std::string_view other,
                           std::string_view other_cloud) {
    return base::usage_error(fmt::format(
        "{} ({} cloud) does not match {} ({} cloud): a token from one cloud is refused by the others — make them "
        "agree, or leave one out",
        one, cloud_label(one_cloud), other, cloud_label(other_cloud)));
  };
  std::string const login = fmt::format("{} '{}'", authority_source, authority_url.value_or(""));
  if (!cloud_flag.empty() && !login_clouds.empty() && !contains(login_clouds, cloud_flag))
    return mismatch("--cloud " + cloud_flag, cloud_flag, login, login_clouds.front());
  if (graph_cloud && !login_clouds.empty() && !contains(login_clouds, *graph_cloud))
    return mismatch(fmt::format("--graph-endpoint '{}'", *graph_url), *graph_cloud, login, login_clouds.front());
  if (graph_cloud && !authority_url && !cloud_flag.empty() &&
      endpoints_of_cloud(cloud_flag)->authority_host != endpoints_of_cloud(*graph_cloud)->authority_host)
    return mismatch(fmt::format("--graph-endpoint '{}'", *graph_url), *graph_cloud, "--cloud " + cloud_flag,
                    cloud_flag);
  std::string_view cloud = cloud_flag;
  if (cloud.empty() && graph_cloud) cloud = *graph_cloud;
  if (cloud.empty() && !login_clouds.empty()) cloud = login_clouds.front();
  return *endpoints_of_cloud(cloud);
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

namespace {

// Which of the application credentials a --credential value admits (docs/design.md §2.2).
struct app_kinds {
  bool secret_or_certificate = true;  // EnvironmentCredential
  bool federated = true;              // WorkloadIdentityCredential
  std::string_view missing;           // the usage error when none is given
};

constexpr std::string_view no_credential_today =
    "no credential: set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, or pass "
    "--client-secret-file, --certificate or --federated-token-file";

bool is_secret_or_certificate(std::string_view kind) {
  return kind == "--client-secret-file" || kind == "AZURE_CLIENT_SECRET" || kind == "--certificate" ||
         kind == "AZURE_CLIENT_CERTIFICATE_PATH";
}

// The client-credentials flow's inputs: tenant, application and one credential, as before --credential existed.
base::result<credentials> resolve_app_credentials(const auth_flags& flags, const env_fn& getenv,
                                                  const app_kinds& admitted) {
  credentials creds;
  auto tenant = pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID");
  if (!tenant) return base::usage_error("no tenant: set AZURE_TENANT_ID or pass --tenant-id");
  if (!valid_name(tenant->value))
    return base::usage_error(
        fmt::format("{}: '{}' is not a tenant id (GUID) or domain name", tenant->source, tenant->value.substr(0, 100)));
  creds.tenant_id = tenant->value;

  auto client = pick(flags.client_id, "--client-id", getenv, "AZURE_CLIENT_ID");
  if (!client) return base::usage_error("no application: set AZURE_CLIENT_ID or pass --client-id");
  if (!valid_name(client->value))
    return base::usage_error(
        fmt::format("{}: '{}' is not an application (client) id", client->source, client->value.substr(0, 100)));
  creds.client_id = client->value;

  // One credential. Flags win over the environment as a whole, so an exported variable never mixes with a flag;
  // two flags are a contradiction the user must resolve. In the environment, Azure Identity's order decides
  // (EnvironmentCredential: a secret, else a certificate; then WorkloadIdentityCredential's federated token file),
  // so that a pod or shell exporting more than one behaves as every Azure SDK does.
  auto const admits = [&admitted](std::string_view kind) {
    return is_secret_or_certificate(kind) ? admitted.secret_or_certificate : admitted.federated;
  };
  std::vector<std::string> flag_kinds;
  if (!flags.client_secret_file.empty()) flag_kinds.push_back("--client-secret-file");
  if (!flags.certificate.empty()) flag_kinds.push_back("--certificate");
  if (!flags.federated_token_file.empty()) flag_kinds.push_back("--federated-token-file");
  std::vector<std::string> env_kinds;
  for (std::string_view v : {"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"})
    if (env_value(getenv, v) && admits(v)) env_kinds.emplace_back(v);
  if (flag_kinds.size() > 1)
    return base::usage_error(fmt::format("contradictory credentials: {} and {} are both given; keep only one",
                                         flag_kinds[0], flag_kinds[1]));
  if (!flag_kinds.empty() && !admits(flag_kinds.front()))
    return base::usage_error(fmt::format("{} is not used by --credential {}: choose --credential {}",
                                         flag_kinds.front(), admitted.federated ? "workload" : "env",
                                         admitted.federated ? "env" : "workload"));
  auto const& kinds = flag_kinds.empty() ? env_kinds : flag_kinds;
  if (kinds.empty()) return base::usage_error(std::string(admitted.missing));
  std::string const& kind = kinds.front();
  creds.credential_source = kind;
  for (auto const& k : env_kinds)
    if (k != kind) creds.ignored_credentials.push_back(k);
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
    // Azure Identity's EnvironmentCredential reads "true" or "1" (any case) as yes.
    if (auto chain = env_value(getenv, "AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"))
      creds.send_certificate_chain = lower(*chain) == "true" || *chain == "1";
  } else {
    creds.federated_token_file =
        kind == "--federated-token-file" ? flags.federated_token_file : *env_value(getenv, kind);
  }
  return creds;
}

// Whether the client-credentials flow has a credential to use: a credential flag or variable.
bool app_credential_given(const auth_flags& flags, const env_fn& getenv, bool secret_or_certificate, bool federated) {
  bool given = false;
  if (secret_or_certificate)
    given = given || !flags.client_secret_file.empty() || !flags.certificate.empty() ||
            env_value(getenv, "AZURE_CLIENT_SECRET") || env_value(getenv, "AZURE_CLIENT_CERTIFICATE_PATH");
  if (federated)
    given = given || !flags.federated_token_file.empty() || env_value(getenv, "AZURE_FEDERATED_TOKEN_FILE");
  return given;
}

// Why `auto` passes over an application credential: what is missing, in one short phrase.
std::string why_unavailable(const auth_flags& flags, const env_fn& getenv, bool federated) {
  if (!app_credential_given(flags, getenv, !federated, federated))
    return federated ? "AZURE_FEDERATED_TOKEN_FILE is not set"
                     : "AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are not set";
  if (!pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID")) return "AZURE_TENANT_ID is not set";
  return "AZURE_CLIENT_ID is not set";
}

bool app_credential_complete(const auth_flags& flags, const env_fn& getenv, bool federated) {
  return app_credential_given(flags, getenv, !federated, federated) &&
         pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID") &&
         pick(flags.client_id, "--client-id", getenv, "AZURE_CLIENT_ID");
}

// Device-code sign-in: tenant (default organizations), public client (default the Azure CLI's) and token cache.
// A code is shown and waited for only when asked for on the command line or in a terminal, never in a cron job.
base::result<credentials> resolve_device_code(const auth_flags& flags, const env_fn& getenv, bool on_command_line) {
  if (!flags.client_secret_file.empty() || !flags.certificate.empty() || !flags.federated_token_file.empty())
    return base::usage_error(
        "--credential device-code does not use --client-secret-file, --certificate or --federated-token-file: drop "
        "them, or choose --credential env or workload");
  credentials creds;
  creds.method = sign_in_method::device_code;
  auto& dc = creds.device_code;
  if (auto tenant = pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID")) {
    if (!valid_name(tenant->value))
      return base::usage_error(fmt::format("{}: '{}' is not a tenant id (GUID) or domain name", tenant->source,
                                           tenant->value.substr(0, 100)));
    dc.tenant = creds.tenant_id = tenant->value;
  }
  // Only the flag: AZURE_CLIENT_ID names a confidential application, which cannot sign a person in this way.
  if (!flags.client_id.empty()) {
    if (!valid_name(flags.client_id))
      return base::usage_error(
          fmt::format("--client-id: '{}' is not an application (client) id", flags.client_id.substr(0, 100)));
    dc.client_id = flags.client_id;
  }
  auto dir = token_cache_dir(flags.token_cache, getenv);
  if (!dir) return dir.error();
  dc.cache_dir = std::move(*dir);
  dc.can_prompt = on_command_line || flags.terminal;
  return creds;
}

// The credential --credential names (docs/design.md §2.2); `auto` in Azure's DefaultAzureCredential order.
base::result<credentials> resolve_credential(const auth_flags& flags, const env_fn& getenv) {
  std::string name = flags.credential;
  std::string source = "--credential";
  if (name.empty())
    if (auto v = env_value(getenv, "ENTRA_AUDIT_CREDENTIAL")) name = *v, source = "ENTRA_AUDIT_CREDENTIAL";
  if (!name.empty() &&
      std::find(std::begin(credential_names), std::end(credential_names), name) == std::end(credential_names))
    return base::usage_error(
        fmt::format("{} '{}': expected auto, env, workload, managed-identity, azure-cli or device-code", source,
                    name.substr(0, 50)));
  if (name == "device-code") return resolve_device_code(flags, getenv, source == "--credential");
  // Not given: the client-credentials flow exactly as before --credential existed whenever one of its credentials
  // is set, so that existing scripts and cron jobs see no change; else auto.
  if (name.empty() && app_credential_given(flags, getenv, true, true))
    return resolve_app_credentials(flags, getenv, {true, true, no_credential_today});
  if (name == "env")
    return resolve_app_credentials(
        flags, getenv,
        {true, false,
         "no credential for --credential env: set AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH, or pass "
         "--client-secret-file or --certificate"});
  if (name == "workload")
    return resolve_app_credentials(
        flags, getenv,
        {false, true,
         "no credential for --credential workload: set AZURE_FEDERATED_TOKEN_FILE (AKS workload identity sets it) "
         "or pass --federated-token-file"});
  if (!flags.client_secret_file.empty() || !flags.certificate.empty() || !flags.federated_token_file.empty()) {
    if (name == "managed-identity" || name == "azure-cli")
      return base::usage_error(fmt::format(
          "--credential {} does not use --client-secret-file, --certificate or --federated-token-file: drop them, "
          "or choose --credential env or workload",
          name));
  }
  credentials creds;
  auto const tenant = pick(flags.tenant_id, "--tenant-id", getenv, "AZURE_TENANT_ID");
  if (tenant && !valid_name(tenant->value))
    return base::usage_error(
        fmt::format("{}: '{}' is not a tenant id (GUID) or domain name", tenant->source, tenant->value.substr(0, 100)));
  if (name == "managed-identity" || name == "azure-cli") {
    creds.method = name == "azure-cli" ? sign_in_method::azure_cli : sign_in_method::managed_identity;
  } else {
    // auto (given or implied): environment, workload identity, managed identity, Azure CLI.
    creds.chosen_by = name.empty() ? "no --credential given" : source + " auto";
    for (bool federated : {false, true}) {
      std::string_view const label = federated ? "workload identity" : "environment";
      if (app_credential_complete(flags, getenv, federated)) {
        auto app = resolve_app_credentials(flags, getenv, {!federated, federated, no_credential_today});
        if (!app) return app.error();
        app->chosen_by = creds.chosen_by;
        app->skipped = std::move(creds.skipped);
        return app;
      }
      creds.skipped.push_back(fmt::format("{}: {}", label, why_unavailable(flags, getenv, federated)));
    }
    creds.method = sign_in_method::chain;
  }
  if (tenant) creds.tenant_id = tenant->value;
  if (creds.method != sign_in_method::azure_cli) {
    auto identity = resolve_managed_identity(flags, getenv);
    if (!identity) return identity.error();
    creds.managed_identity = std::move(*identity);
  }
  if (tenant) creds.azure_cli.tenant_id = tenant->value;
  return creds;
}

}  // namespace

base::result<std::pair<connection_options, credentials>> resolve_settings(const auth_flags& flags,
                                                                          const env_fn& getenv) {
  connection_options options;
  auto resolved = resolve_credential(flags, getenv);
  if (!resolved) return resolved.error();
  credentials creds = std::move(*resolved);
  if (!creds.certificate_path && !flags.certificate_password_file.empty())
    return base::usage_error("--certificate-password-file needs --certificate (or AZURE_CLIENT_CERTIFICATE_PATH)");
  if (!creds.certificate_path && flags.rs256)
    return base::usage_error("--rs256 needs --certificate (or AZURE_CLIENT_CERTIFICATE_PATH)");
  if (!endpoints_of_cloud(flags.cloud))
    return base::usage_error(
        fmt::format("--cloud '{}': expected global, usgov, usgov-dod or china", flags.cloud.substr(0, 50)));
  auto authority = pick(flags.authority_host, "--authority-host", getenv, "AZURE_AUTHORITY_HOST");
  std::optional<std::string> authority_url;
  if (authority) {
    auto checked = validate_service_url(authority->value, authority->source);
    if (!checked) return checked.error();
    authority_url = std::move(*checked);
  }
  auto graph_url =
      flags.graph_endpoint.empty() ? std::optional<std::string>() : std::optional<std::string>(flags.graph_endpoint);
  if (graph_url) {
    auto checked = validate_service_url(*graph_url, "--graph-endpoint");
    if (!checked) return checked.error();
    graph_url = std::move(*checked);
  }
  auto cloud = pick_cloud(flags.cloud, graph_url, authority_url, authority ? authority->source : std::string());
  if (!cloud) return cloud.error();
  options.graph_endpoint = graph_url ? *graph_url : cloud->graph_root;
  options.authority_host = authority_url ? *authority_url : cloud->authority_host;
  options.scope = options.graph_endpoint + "/.default";

  if (!flags.ca_file.empty()) {
    std::ifstream in(flags.ca_file);
    if (!in)
      return base::usage_error(fmt::format("cannot read --ca-file '{}': the file does not exist", flags.ca_file));
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
