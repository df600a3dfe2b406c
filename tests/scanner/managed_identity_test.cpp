#include "scanner/detail/managed_identity.hpp"

#include "support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <map>

namespace {

using env_map = std::map<std::string, std::string>;

auto env_of(env_map values) {
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

scanner::managed_identity_settings resolved(const env_map& env, const scanner::auth_flags& flags = {}) {
  auto r = scanner::resolve_managed_identity(flags, env_of(env));
  REQUIRE(r.has_value());
  return *r;
}

std::chrono::system_clock::time_point at(long long epoch) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{epoch}};
}

}  // namespace

TEST_CASE("without Azure variables the managed identity is IMDS at its link-local address, system-assigned") {
  auto s = resolved({});
  CHECK(s.source == scanner::identity_source::imds);
  CHECK(s.token_url == "http://169.254.169.254/metadata/identity/oauth2/token");
  CHECK(s.endpoint_from.empty());
  CHECK(s.id_parameter.empty());
  CHECK(scanner::managed_identity_url(s, "https://graph.microsoft.com") ==
        "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph."
        "microsoft.com");
}

TEST_CASE("AZURE_POD_IDENTITY_AUTHORITY_HOST or IMDS_ENDPOINT moves IMDS, as Azure's SDKs allow") {
  CHECK(resolved({{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:5000/"}}).token_url ==
        "http://127.0.0.1:5000/metadata/identity/oauth2/token");
  auto s = resolved({{"IMDS_ENDPOINT", "http://127.0.0.1:6000"}});
  CHECK(s.source == scanner::identity_source::imds);
  CHECK(s.token_url == "http://127.0.0.1:6000/metadata/identity/oauth2/token");
  CHECK(s.endpoint_from == "IMDS_ENDPOINT");
  auto bad = scanner::resolve_managed_identity({}, env_of({{"IMDS_ENDPOINT", "ftp://x"}}));
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == base::exit_code::usage);
  CHECK(bad.error().message.find("IMDS_ENDPOINT") != std::string::npos);
}

TEST_CASE("IDENTITY_ENDPOINT with IDENTITY_HEADER is App Service, with IMDS_ENDPOINT it is Azure Arc") {
  auto app = resolved({{"IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"}, {"IDENTITY_HEADER", "h3ad3r"}});
  CHECK(app.source == scanner::identity_source::app_service);
  CHECK(app.identity_header == "h3ad3r");
  CHECK(scanner::managed_identity_url(app, "https://graph.microsoft.com").find("api-version=2019-08-01") !=
        std::string::npos);
  auto arc = resolved({{"IDENTITY_ENDPOINT", "http://localhost:40342/metadata/identity/oauth2/token"},
                       {"IMDS_ENDPOINT", "http://localhost:40342"}});
  CHECK(arc.source == scanner::identity_source::azure_arc);
  CHECK(arc.arc_key_dir == "/var/opt/azcmagent/tokens");
  CHECK(scanner::managed_identity_url(arc, "https://graph.microsoft.com").find("api-version=2019-11-01") !=
        std::string::npos);
}

TEST_CASE("a user-assigned identity is sent as the parameter each source documents") {
  scanner::auth_flags client, object, resource;
  client.managed_identity_client_id = "11111111-1111-1111-1111-111111111111";
  object.managed_identity_object_id = "22222222-2222-2222-2222-222222222222";
  resource.managed_identity_client_id =
      "/subscriptions/s/resourceGroups/g/providers/"
      "Microsoft.ManagedIdentity/userAssignedIdentities/scanner";
  CHECK(resolved({}, client).id_parameter == "client_id");
  CHECK(resolved({}, object).id_parameter == "object_id");
  CHECK(resolved({}, resource).id_parameter == "msi_res_id");
  env_map const app_service{{"IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token"}, {"IDENTITY_HEADER", "h"}};
  CHECK(resolved(app_service, client).id_parameter == "client_id");
  CHECK(resolved(app_service, object).id_parameter == "principal_id");
  CHECK(resolved(app_service, resource).id_parameter == "mi_res_id");
  auto url = scanner::managed_identity_url(resolved({}, resource), "https://graph.microsoft.us");
  CHECK(url.find("&msi_res_id=%2Fsubscriptions%2Fs%2F") != std::string::npos);
  CHECK(url.find("resource=https%3A%2F%2Fgraph.microsoft.us") != std::string::npos);
  // As DefaultAzureCredential does, AZURE_CLIENT_ID names the user-assigned identity when no flag does.
  CHECK(resolved({{"AZURE_CLIENT_ID", "33333333-3333-3333-3333-333333333333"}}).id_value ==
        "33333333-3333-3333-3333-333333333333");
}

TEST_CASE("Azure Arc with a user-assigned identity flag is a usage error naming the flag") {
  scanner::auth_flags flags;
  flags.managed_identity_client_id = "11111111-1111-1111-1111-111111111111";
  auto r = scanner::resolve_managed_identity(
      flags, env_of({{"IDENTITY_ENDPOINT", "http://localhost:1/x"}, {"IMDS_ENDPOINT", "http://localhost:1"}}));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find("--managed-identity-client-id") != std::string::npos);
  flags.managed_identity_object_id = "x";
  CHECK_FALSE(scanner::resolve_managed_identity(flags, env_of({})).has_value());  // two identities named
}

TEST_CASE("an IMDS answer's expires_on counts the token's lifetime, as a string or a number") {
  auto t = scanner::parse_managed_identity_token(
      R"({"access_token":"eyJ0.eyJ1.c2ln","expires_in":"86399","expires_on":"1700003600","resource":"https://graph.microsoft.com","token_type":"Bearer"})",
      at(1700000000));
  REQUIRE(t.has_value());
  CHECK(t->value == "eyJ0.eyJ1.c2ln");
  CHECK(t->lifetime == std::chrono::seconds{3600});
  auto n = scanner::parse_managed_identity_token(R"({"access_token":"abc","expires_on":1700000600})", at(1700000000));
  REQUIRE(n.has_value());
  CHECK(n->lifetime == std::chrono::seconds{600});
  auto in = scanner::parse_managed_identity_token(R"({"access_token":"abc","expires_in":"120"})", at(1700000000));
  REQUIRE(in.has_value());
  CHECK(in->lifetime == std::chrono::seconds{120});
  CHECK_FALSE(scanner::parse_managed_identity_token(R"({"expires_in":"120"})", at(0)).has_value());
  CHECK_FALSE(scanner::parse_managed_identity_token("<html>", at(0)).has_value());
  CHECK_FALSE(scanner::parse_managed_identity_token(R"({"access_token":"a","token_type":"pop"})", at(0)).has_value());
}

TEST_CASE("refusals of IMDS, App Service and the nested shape become one line with the service's words") {
  CHECK(scanner::describe_managed_identity_error(
            400, R"({"error":"invalid_request","error_description":"Identity not found"})") ==
        "HTTP 400 invalid_request: Identity not found");
  CHECK(scanner::describe_managed_identity_error(400, R"({"statusCode":400,"message":"Unable to load"})") ==
        "HTTP 400: Unable to load");
  CHECK(scanner::describe_managed_identity_error(403, R"({"error":{"code":"Forbidden","message":"No"}})") ==
        "HTTP 403 Forbidden: No");
  CHECK(scanner::describe_managed_identity_error(500, "oops") == "HTTP 500");
}

TEST_CASE("an Arc challenge's key file is read only from the agent's directory, named .key and small") {
  test_support::temp_dir dir, elsewhere;
  test_support::write_file(dir / "abc.key", "s3cr3t-arc-key\n");
  auto key = scanner::read_arc_key("Basic realm=" + (dir / "abc.key").string(), dir.path().string());
  REQUIRE(key.has_value());
  CHECK(*key == "s3cr3t-arc-key");
  test_support::write_file(elsewhere / "abc.key", "x");
  CHECK_FALSE(
      scanner::read_arc_key("Basic realm=" + (elsewhere / "abc.key").string(), dir.path().string()).has_value());
  // ".." cannot lead out of the directory.
  auto const dotted = (dir / ".." / elsewhere.path().filename() / "abc.key").string();
  CHECK_FALSE(scanner::read_arc_key("Basic realm=" + dotted, dir.path().string()).has_value());
  test_support::write_file(dir / "abc.txt", "x");
  CHECK_FALSE(scanner::read_arc_key("Basic realm=" + (dir / "abc.txt").string(), dir.path().string()).has_value());
  test_support::write_file(dir / "big.key", std::string(scanner::max_arc_key_size + 1, 'k'));
  CHECK_FALSE(scanner::read_arc_key("Basic realm=" + (dir / "big.key").string(), dir.path().string()).has_value());
  CHECK_FALSE(scanner::read_arc_key("Bearer x", dir.path().string()).has_value());
}

TEST_CASE("with ENTRA_AUDIT_TEST_NO_IMDS the provider refuses the real IMDS address at once, without connecting") {
  auto s = resolved({{"ENTRA_AUDIT_TEST_NO_IMDS", "1"}});
  REQUIRE(s.test_no_imds);
  boost::asio::io_context io;
  auto tls = boost::asio::ssl::context(boost::asio::ssl::context::tls_client);
  scanner::managed_identity_provider provider(io.get_executor(), tls, {}, s, "https://graph.microsoft.com");
  std::optional<base::result<scanner::access_token>> got;
  auto const started = std::chrono::steady_clock::now();
  boost::asio::co_spawn(io, provider.fetch(),
                        [&got](std::exception_ptr, base::result<scanner::access_token> r) { got = std::move(r); });
  io.run();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().code == base::exit_code::usage);
  CHECK(got->error().message.find("not contacting http://169.254.169.254") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(500));
}

TEST_CASE("an identity answer without expires_on or expires_in is refused: its lifetime is never guessed") {
  auto const at = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000}};
  auto r = scanner::parse_managed_identity_token(R"({"access_token":"abc","token_type":"Bearer"})", at);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("without expires_on or expires_in") != std::string::npos);
  CHECK(r.error().message.find("abc") == std::string::npos);
}
