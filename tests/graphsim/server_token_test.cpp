// The token endpoint: client secret, client assertions (PS256/RS256), and its AADSTS refusals; bearer checks.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"
#include "server_jwt_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <thread>

using namespace server_test;

namespace {

reply token_request(client& c, std::string const& tenant, header_list fields) {
  return c.send("POST", "/" + tenant + "/oauth2/v2.0/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                form(fields));
}

int first_error_code(reply const& r) {
  auto doc = json(r.body);
  if (doc.HasParseError() || !doc.HasMember("error_codes")) return -1;
  return doc["error_codes"][0].GetInt();
}

}  // namespace

TEST_CASE("the client secret flow returns a bearer token of the documented shape") {
  auto server = start(small_tenant());
  client c(server->url());
  auto r = token_request(c, server->tenant_id(),
                         {{"grant_type", "client_credentials"},
                          {"client_id", server->client_id()},
                          {"client_secret", server->client_secret()},
                          {"scope", "https://graph.microsoft.com/.default"}});
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  CAPTURE(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["token_type"].GetString()) == "Bearer");
  CHECK(doc["expires_in"].GetInt() == 3599);
  CHECK(doc.HasMember("ext_expires_in"));
  CHECK(std::string(doc["access_token"].GetString()).size() > 20);
}

TEST_CASE("a wrong secret is refused with AADSTS7000215 in the token error shape") {
  auto server = start(small_tenant());
  client c(server->url());
  auto r = token_request(c, server->tenant_id(),
                         {{"grant_type", "client_credentials"},
                          {"client_id", server->client_id()},
                          {"client_secret", "not-it"},
                          {"scope", "https://graph.microsoft.com/.default"}});
  CHECK(r.status == 401);
  CHECK(first_error_code(r) == 7000215);
  auto doc = json(r.body);
  CHECK(std::string(doc["error"].GetString()) == "invalid_client");
  std::string const description = doc["error_description"].GetString();
  CHECK(description.rfind("AADSTS7000215: Invalid client secret provided.", 0) == 0);
  CHECK(description.find("\r\nTrace ID: ") != std::string::npos);
  CHECK(description.find("\r\nCorrelation ID: ") != std::string::npos);
  CHECK(doc.HasMember("trace_id"));
  CHECK(doc.HasMember("correlation_id"));
  CHECK(doc.HasMember("timestamp"));
}

TEST_CASE("an unknown client, an unknown tenant and a bad scope get their AADSTS codes") {
  auto server = start(small_tenant());
  client c(server->url());
  header_list good{{"grant_type", "client_credentials"},
                   {"client_id", server->client_id()},
                   {"client_secret", server->client_secret()},
                   {"scope", "https://graph.microsoft.com/.default"}};
  auto unknown_client = good;
  unknown_client[1].second = "00000000-0000-0000-0000-000000000001";
  auto r = token_request(c, server->tenant_id(), unknown_client);
  CHECK(r.status == 400);
  CHECK(first_error_code(r) == 700016);
  r = token_request(c, "no-such-tenant.onmicrosoft.com", good);
  CHECK(r.status == 400);
  CHECK(first_error_code(r) == 90002);
  auto bad_scope = good;
  bad_scope[3].second = "https://graph.microsoft.com/User.Read";
  r = token_request(c, server->tenant_id(), bad_scope);
  CHECK(r.status == 400);
  CHECK(first_error_code(r) == 70011);
  auto emulator_scope = good;
  emulator_scope[3].second = server->url() + "/.default";
  CHECK(token_request(c, server->tenant_id(), emulator_scope).status == 200);
}

TEST_CASE("client assertions signed PS256 and RS256 by a registered certificate are accepted, tampered ones not") {
  test_support::temp_dir dir;
  test_certificate cert;
  test_support::write_file(dir / "app.pem", cert.cert_pem());
  auto options = small_tenant();
  options.client_certs = {(dir / "app.pem").string()};
  auto server = start(options);
  client c(server->url());
  std::string const aud = server->url() + "/" + server->tenant_id() + "/oauth2/v2.0/token";
  auto with_assertion = [&](std::string const& jwt) {
    return token_request(c, server->tenant_id(),
                         {{"grant_type", "client_credentials"},
                          {"client_id", server->client_id()},
                          {"scope", "https://graph.microsoft.com/.default"},
                          {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                          {"client_assertion", jwt}});
  };
  for (std::string alg : {"PS256", "RS256"}) {
    CAPTURE(alg);
    std::string const jwt = cert.sign(alg, assertion_claims(aud, server->client_id()));
    CHECK(with_assertion(jwt).status == 200);
    std::string tampered = jwt;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    auto refused = with_assertion(tampered);
    CHECK(refused.status == 401);
    CHECK(first_error_code(refused) == 700027);
  }
  // A federated workload-identity token signed by the registered certificate.
  CHECK(with_assertion(cert.sign("PS256", assertion_claims("api://AzureADTokenExchange", "system:serviceaccount:a")))
            .status == 200);
  auto expired = with_assertion(cert.sign("PS256", assertion_claims(aud, server->client_id(), -900, -300)));
  CHECK(expired.status == 401);
  CHECK(first_error_code(expired) == 700024);
}

TEST_CASE("Graph requests without a token, or with an expired one, get 401 InvalidAuthenticationToken") {
  auto options = small_tenant();
  options.token_lifetime_s = 1;
  auto server = start(options);
  client c(server->url());
  auto missing = c.get("/v1.0/users", "");
  CHECK(missing.status == 401);
  auto doc = json(missing.body);
  CHECK(std::string(doc["error"]["code"].GetString()) == "InvalidAuthenticationToken");
  CHECK(std::string(doc["error"]["message"].GetString()) == "Access token is empty.");
  CHECK(doc["error"]["innerError"]["request-id"].GetString() == missing.header("request-id"));

  std::string const token = token_for(c, *server);
  REQUIRE_FALSE(token.empty());
  CHECK(c.get("/v1.0/users", token).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto expired = c.get("/v1.0/users", token);
  CHECK(expired.status == 401);
  CHECK(std::string(json(expired.body)["error"]["message"].GetString()) ==
        "Access token has expired or is not yet valid.");
}
