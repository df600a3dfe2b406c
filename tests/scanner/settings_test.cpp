#include "scanner/settings.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using env_map = std::map<std::string, std::string>;

auto env_of(const env_map& values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const env_map base_env = {{"AZURE_TENANT_ID", "11111111-1111-1111-1111-111111111111"},
                          {"AZURE_CLIENT_ID", "22222222-2222-2222-2222-222222222222"},
                          {"AZURE_CLIENT_SECRET", "s3cr3t-value"}};

}  // namespace

TEST_CASE("the Azure SDK environment variables alone resolve to the global cloud with a secret") {
  auto r = scanner::resolve_settings({}, env_of(base_env));
  REQUIRE(r.has_value());
  auto const& [options, creds] = *r;
  CHECK(creds.tenant_id == "11111111-1111-1111-1111-111111111111");
  CHECK(creds.client_id == "22222222-2222-2222-2222-222222222222");
  CHECK(creds.secret == "s3cr3t-value");
  CHECK(options.graph_endpoint == "https://graph.microsoft.com");
  CHECK(options.authority_host == "https://login.microsoftonline.com");
  CHECK(options.scope == "https://graph.microsoft.com/.default");
  CHECK_FALSE(options.https_proxy);
}

TEST_CASE("flags win over the environment") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "secret", "from-file\n");
  scanner::auth_flags flags;
  flags.tenant_id = "contoso.onmicrosoft.com";
  flags.client_id = "33333333-3333-3333-3333-333333333333";
  flags.client_secret_file = (dir / "secret").string();
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->second.tenant_id == "contoso.onmicrosoft.com");
  CHECK(r->second.client_id == "33333333-3333-3333-3333-333333333333");
  CHECK(r->second.secret == "from-file");  // the file's line end is not part of the secret
}

TEST_CASE("a missing tenant is a usage error naming AZURE_TENANT_ID and --tenant-id") {
  auto env = base_env;
  env.erase("AZURE_TENANT_ID");
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("AZURE_TENANT_ID") != std::string::npos);
  CHECK(r.error().message.find("--tenant-id") != std::string::npos);
}

TEST_CASE("a missing client id or credential is a usage error naming what to set") {
  auto env = base_env;
  env.erase("AZURE_CLIENT_ID");
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("AZURE_CLIENT_ID") != std::string::npos);

  env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  scanner::auth_flags env_only;
  env_only.credential = "env";
  r = scanner::resolve_settings(env_only, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("AZURE_CLIENT_SECRET") != std::string::npos);
}

TEST_CASE("without --credential and without an application credential, auto's chain is chosen with its reasons") {
  auto env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  auto const& creds = r->second;
  CHECK(creds.method == scanner::sign_in_method::chain);
  REQUIRE(creds.skipped.size() == 2);
  CHECK(creds.skipped[0] == "environment: AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are not set");
  CHECK(creds.skipped[1] == "workload identity: AZURE_FEDERATED_TOKEN_FILE is not set");
  // As DefaultAzureCredential does, AZURE_CLIENT_ID then names a user-assigned managed identity.
  CHECK(creds.managed_identity.id_parameter == "client_id");
  CHECK(creds.managed_identity.id_value == "22222222-2222-2222-2222-222222222222");
  CHECK(creds.azure_cli.tenant_id == "11111111-1111-1111-1111-111111111111");
}

TEST_CASE("without --credential an application credential signs in exactly as before, unannounced") {
  auto r = scanner::resolve_settings({}, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::app);
  CHECK(r->second.chosen_by.empty());
  CHECK(r->second.skipped.empty());
}

TEST_CASE("--credential auto takes the environment first, then the workload identity, and says why") {
  scanner::auth_flags flags;
  flags.credential = "auto";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::app);
  CHECK(r->second.secret == "s3cr3t-value");
  CHECK(r->second.chosen_by == "--credential auto");
  CHECK(r->second.skipped.empty());

  auto env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  env["AZURE_FEDERATED_TOKEN_FILE"] = "/var/run/secrets/azure/tokens/azure-identity-token";
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.federated_token_file == "/var/run/secrets/azure/tokens/azure-identity-token");
  REQUIRE(r->second.skipped.size() == 1);
  CHECK(r->second.skipped[0] == "environment: AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are not set");

  // A secret without a tenant is passed over, with that reason.
  env = base_env;
  env.erase("AZURE_TENANT_ID");
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::chain);
  CHECK(r->second.skipped[0] == "environment: AZURE_TENANT_ID is not set");
}

TEST_CASE("ENTRA_AUDIT_CREDENTIAL picks the credential when --credential does not, and a bad value is named") {
  auto env = base_env;
  env["ENTRA_AUDIT_CREDENTIAL"] = "azure-cli";
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::azure_cli);
  scanner::auth_flags flags;
  flags.credential = "managed-identity";
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::managed_identity);
  env["ENTRA_AUDIT_CREDENTIAL"] = "kerberos";
  r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("ENTRA_AUDIT_CREDENTIAL 'kerberos'") != std::string::npos);
}

TEST_CASE("managed identity and the Azure CLI need no tenant or application, and refuse application credentials") {
  scanner::auth_flags flags;
  flags.credential = "managed-identity";
  auto r = scanner::resolve_settings(flags, env_of({}));
  REQUIRE(r.has_value());
  CHECK(r->second.method == scanner::sign_in_method::managed_identity);
  CHECK(r->second.tenant_id.empty());
  CHECK(r->second.managed_identity.token_url == "http://169.254.169.254/metadata/identity/oauth2/token");
  flags.client_secret_file = "/nonexistent";
  r = scanner::resolve_settings(flags, env_of({}));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("--credential managed-identity does not use --client-secret-file") != std::string::npos);
}

TEST_CASE("--credential env refuses a federated token file and workload refuses a secret, naming the other") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "token", "eyJ.x.y");
  scanner::auth_flags flags;
  flags.credential = "env";
  flags.federated_token_file = (dir / "token").string();
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("choose --credential workload") != std::string::npos);
  flags.credential = "workload";
  r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->second.federated_token_file == (dir / "token").string());
  CHECK(r->second.ignored_credentials.empty());  // the secret is not a workload credential
}

TEST_CASE("--credential device-code signs in to the Azure CLI's public client at organizations unless told otherwise") {
  scanner::auth_flags flags;
  flags.credential = "device-code";
  // AZURE_CLIENT_ID names the confidential application of the environment: not the public client.
  auto env = base_env;
  env.erase("AZURE_TENANT_ID");
  env["HOME"] = "/home/auditor";
  auto r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  auto const& dc = r->second.device_code;
  CHECK(r->second.method == scanner::sign_in_method::device_code);
  CHECK(dc.client_id == "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
  CHECK(dc.tenant == "organizations");
  CHECK(dc.cache_dir == "/home/auditor/.cache/entra-audit");
  CHECK(dc.can_prompt);  // asked for on the command line

  env["XDG_CACHE_HOME"] = "/var/cache/me";
  env["AZURE_TENANT_ID"] = "contoso.onmicrosoft.com";
  flags.client_id = "33333333-3333-3333-3333-333333333333";
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.device_code.client_id == flags.client_id);
  CHECK(r->second.device_code.tenant == "contoso.onmicrosoft.com");
  CHECK(r->second.device_code.cache_dir == "/var/cache/me/entra-audit");

  flags.token_cache = "/tmp/tc";
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.device_code.cache_dir == "/tmp/tc");
}

TEST_CASE("device-code from ENTRA_AUDIT_CREDENTIAL may prompt only in a terminal, and needs somewhere to cache") {
  auto env = base_env;
  env["ENTRA_AUDIT_CREDENTIAL"] = "device-code";
  env["ENTRA_AUDIT_TOKEN_CACHE"] = "/tmp/cache";
  env.erase("AZURE_CLIENT_SECRET");
  scanner::auth_flags flags;
  auto r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK_FALSE(r->second.device_code.can_prompt);
  flags.terminal = true;
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.device_code.can_prompt);
  env.erase("ENTRA_AUDIT_TOKEN_CACHE");
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("pass --token-cache DIR") != std::string::npos);
}

TEST_CASE("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN true or 1 asks for x5c, anything else does not") {
  auto env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  env["AZURE_CLIENT_CERTIFICATE_PATH"] = "/tmp/app.pfx";
  for (auto const& [value, expected] : std::vector<std::pair<std::string, bool>>{
           {"true", true}, {"TRUE", true}, {"1", true}, {"false", false}, {"yes", false}}) {
    CAPTURE(value);
    env["AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"] = value;
    auto r = scanner::resolve_settings({}, env_of(env));
    REQUIRE(r.has_value());
    CHECK(r->second.send_certificate_chain == expected);
  }
}

TEST_CASE("with several credentials in the environment, Azure Identity's order picks secret, certificate, token file") {
  auto env = base_env;
  env["AZURE_CLIENT_CERTIFICATE_PATH"] = "/tmp/cert.pem";
  env["AZURE_FEDERATED_TOKEN_FILE"] = "/var/run/secrets/token";
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.secret == "s3cr3t-value");
  CHECK_FALSE(r->second.certificate_path);
  CHECK_FALSE(r->second.federated_token_file);
  CHECK(r->second.credential_source == "AZURE_CLIENT_SECRET");
  CHECK(r->second.ignored_credentials ==
        std::vector<std::string>{"AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE"});

  env.erase("AZURE_CLIENT_SECRET");
  r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.certificate_path == "/tmp/cert.pem");
  CHECK_FALSE(r->second.federated_token_file);
  CHECK(r->second.ignored_credentials == std::vector<std::string>{"AZURE_FEDERATED_TOKEN_FILE"});
}

TEST_CASE("two credential flags are a contradiction, a flag wins over the environment, which is named as ignored") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "secret", "from-file\n");
  scanner::auth_flags flags;
  flags.client_secret_file = (dir / "secret").string();
  flags.certificate = "/tmp/cert.pem";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--client-secret-file") != std::string::npos);
  CHECK(r.error().message.find("--certificate") != std::string::npos);

  flags.client_secret_file.clear();
  r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->second.certificate_path == "/tmp/cert.pem");
  CHECK(r->second.credential_source == "--certificate");
  CHECK(r->second.ignored_credentials == std::vector<std::string>{"AZURE_CLIENT_SECRET"});
}

TEST_CASE("a certificate from the environment carries its password, --rs256 picks RS256") {
  auto env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  env["AZURE_CLIENT_CERTIFICATE_PATH"] = "/tmp/cert.pem";
  env["AZURE_CLIENT_CERTIFICATE_PASSWORD"] = "pw";
  scanner::auth_flags flags;
  flags.rs256 = true;
  auto r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.certificate_path == "/tmp/cert.pem");
  CHECK(r->second.certificate_password == "pw");
  CHECK(r->second.certificate_rs256);
  CHECK_FALSE(r->second.secret);
}

TEST_CASE("a federated token file from the environment is kept as a path, not read yet") {
  auto env = base_env;
  env.erase("AZURE_CLIENT_SECRET");
  env["AZURE_FEDERATED_TOKEN_FILE"] = "/var/run/secrets/token";
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->second.federated_token_file == "/var/run/secrets/token");
}

TEST_CASE("a secret file that does not exist is a usage error naming the flag") {
  scanner::auth_flags flags;
  flags.client_secret_file = "/nonexistent/secret";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--client-secret-file") != std::string::npos);
}

TEST_CASE("plain http is refused for a non-loopback Graph endpoint or authority") {
  scanner::auth_flags flags;
  flags.graph_endpoint = "http://graph.example.com";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--graph-endpoint") != std::string::npos);

  auto env = base_env;
  env["AZURE_AUTHORITY_HOST"] = "http://10.0.0.1:8080";
  r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("AZURE_AUTHORITY_HOST") != std::string::npos);
}

TEST_CASE("plain http is accepted for loopback hosts, as the emulator serves") {
  for (std::string url : {"http://127.0.0.1:8080", "http://127.3.4.5", "http://[::1]:9000", "http://localhost:1/"}) {
    CAPTURE(url);
    scanner::auth_flags flags;
    flags.graph_endpoint = url;
    flags.authority_host = url;
    auto r = scanner::resolve_settings(flags, env_of(base_env));
    REQUIRE(r.has_value());
    CHECK(r->first.scope == r->first.graph_endpoint + "/.default");
    CHECK(r->first.graph_endpoint.back() != '/');
  }
}

TEST_CASE("each national cloud has its own Graph root, login host and scope") {
  struct row {
    const char* cloud;
    const char* graph;
    const char* login;
  };
  for (auto const& c : {row{"global", "https://graph.microsoft.com", "https://login.microsoftonline.com"},
                        row{"usgov", "https://graph.microsoft.us", "https://login.microsoftonline.us"},
                        row{"usgov-dod", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us"},
                        row{"china", "https://microsoftgraph.chinacloudapi.cn", "https://login.chinacloudapi.cn"}}) {
    CAPTURE(c.cloud);
    scanner::auth_flags flags;
    flags.cloud = c.cloud;
    auto r = scanner::resolve_settings(flags, env_of(base_env));
    REQUIRE(r.has_value());
    CHECK(r->first.graph_endpoint == c.graph);
    CHECK(r->first.authority_host == c.login);
    CHECK(r->first.scope == std::string(c.graph) + "/.default");
  }
  scanner::auth_flags flags;
  flags.cloud = "mars";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
}

TEST_CASE("AZURE_AUTHORITY_HOST of a national cloud picks that cloud's Graph endpoint when none is given") {
  struct row {
    const char* authority;
    const char* graph;
  };
  for (auto const& c : {row{"https://login.microsoftonline.us", "https://graph.microsoft.us"},
                        row{"https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn"},
                        row{"https://login.microsoftonline.com", "https://graph.microsoft.com"},
                        row{"https://LOGIN.MicrosoftOnline.US", "https://graph.microsoft.us"}}) {
    CAPTURE(c.authority);
    auto env = base_env;
    env["AZURE_AUTHORITY_HOST"] = c.authority;
    auto r = scanner::resolve_settings({}, env_of(env));
    REQUIRE(r.has_value());
    CHECK(r->first.graph_endpoint == c.graph);
    CHECK(r->first.scope == std::string(c.graph) + "/.default");
  }
  // --cloud usgov-dod shares the US Government login host: it agrees with it and keeps its own Graph root.
  auto env = base_env;
  env["AZURE_AUTHORITY_HOST"] = "https://login.microsoftonline.us";
  scanner::auth_flags flags;
  flags.cloud = "usgov-dod";
  auto r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->first.graph_endpoint == "https://dod-graph.microsoft.us");
  CHECK(r->first.authority_host == "https://login.microsoftonline.us");
}

TEST_CASE("a cloud or Graph endpoint that does not match the authority host is a usage error naming both") {
  auto env = base_env;
  env["AZURE_AUTHORITY_HOST"] = "https://login.microsoftonline.us";
  scanner::auth_flags flags;
  flags.cloud = "china";
  auto r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--cloud china (China cloud)") != std::string::npos);
  CHECK(r.error().message.find("AZURE_AUTHORITY_HOST 'https://login.microsoftonline.us' (US Government cloud)") !=
        std::string::npos);

  flags.cloud.clear();
  flags.graph_endpoint = "https://graph.microsoft.com";
  r = scanner::resolve_settings(flags, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--graph-endpoint 'https://graph.microsoft.com' (global cloud)") != std::string::npos);
  CHECK(r.error().message.find("AZURE_AUTHORITY_HOST") != std::string::npos);

  flags.graph_endpoint = "https://microsoftgraph.chinacloudapi.cn";
  flags.cloud = "global";
  r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("--cloud global") != std::string::npos);
}

TEST_CASE("--graph-endpoint and --authority-host override the cloud") {
  scanner::auth_flags flags;
  flags.cloud = "china";
  flags.graph_endpoint = "https://graph.example.test/";
  flags.authority_host = "https://login.example.test";
  auto r = scanner::resolve_settings(flags, env_of(base_env));
  REQUIRE(r.has_value());
  CHECK(r->first.graph_endpoint == "https://graph.example.test");
  CHECK(r->first.authority_host == "https://login.example.test");
  CHECK(r->first.scope == "https://graph.example.test/.default");
}

TEST_CASE("HTTPS_PROXY and NO_PROXY are read in either case, a TLS proxy URL is refused") {
  auto env = base_env;
  env["https_proxy"] = "proxy.example.com:3128";
  env["NO_PROXY"] = ".internal,localhost";
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE(r.has_value());
  CHECK(r->first.https_proxy == "http://proxy.example.com:3128");
  CHECK(r->first.no_proxy == ".internal,localhost");

  env["HTTPS_PROXY"] = "https://proxy.example.com:3128";
  r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("HTTPS_PROXY") != std::string::npos);
}

TEST_CASE("a tenant id that would change the token URL's path is refused") {
  auto env = base_env;
  env["AZURE_TENANT_ID"] = "../evil";
  auto r = scanner::resolve_settings({}, env_of(env));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
}
