// sim --roles: tokens carry the application permissions in their roles claim, and every route requires one of
// the permissions Graph documents for it (docs/graphsim.md, "Application permissions").
#include "graphsim/detail/text.hpp"
#include "graphsim/permissions.hpp"
#include "graphsim/server.hpp"
#include "server_client_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace server_test;

namespace {

graphsim::sim_options tenant_with_roles(std::vector<std::string> roles) {
  auto options = small_tenant(20);
  options.roles = std::move(roles);
  return options;
}

// The JSON payload of a JWT-shaped token.
rapidjson::Document claims_of(std::string const& token) {
  auto const first = token.find('.');
  auto const second = token.find('.', first + 1);
  REQUIRE(second != std::string::npos);
  auto payload = graphsim::base64url_decode(token.substr(first + 1, second - first - 1));
  REQUIRE(payload.has_value());
  return json(*payload);
}

void check_refused(reply const& r) {
  CAPTURE(r.body);
  CHECK(r.status == 403);
  auto doc = json(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["error"]["code"].GetString()) == "Authorization_RequestDenied");
  CHECK(std::string(doc["error"]["message"].GetString()) == "Insufficient privileges to complete the operation.");
  CHECK(doc["error"]["innerError"].HasMember("request-id"));
}

}  // namespace

TEST_CASE("a token's roles claim holds the permissions given to sim, and the default ones otherwise") {
  SUBCASE("given") {
    auto server = start(tenant_with_roles({"User.Read.All", "LicenseAssignment.Read.All"}));
    client c(server->url());
    auto doc = claims_of(token_for(c, *server));
    REQUIRE(doc["roles"].IsArray());
    REQUIRE(doc["roles"].Size() == 2);
    CHECK(std::string(doc["roles"][0].GetString()) == "User.Read.All");
    CHECK(std::string(doc["roles"][1].GetString()) == "LicenseAssignment.Read.All");
    CHECK(std::string(doc["tid"].GetString()) == server->tenant_id());
    CHECK(std::string(doc["appid"].GetString()) == server->client_id());
    CHECK(std::string(doc["idtyp"].GetString()) == "app");
    CHECK(doc["exp"].GetInt64() > doc["iat"].GetInt64());
  }
  SUBCASE("default") {
    auto server = start(small_tenant(20));
    client c(server->url());
    auto doc = claims_of(token_for(c, *server));
    std::vector<std::string> roles;
    for (auto const& r : doc["roles"].GetArray()) roles.emplace_back(r.GetString());
    CHECK(roles == graphsim::default_roles());
  }
  SUBCASE("none: the claim is left out, as Entra does") {
    auto server = start(tenant_with_roles({}));
    client c(server->url());
    CHECK_FALSE(claims_of(token_for(c, *server)).HasMember("roles"));
  }
}

TEST_CASE("without User.Read.All (or a broader user permission) the users routes answer 403 as Graph does") {
  auto server = start(tenant_with_roles({"Organization.Read.All", "LicenseAssignment.ReadWrite.All"}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  check_refused(c.get("/v1.0/users?$top=1", token));
  check_refused(c.get("/v1.0/users/delta", token));
  CHECK(c.get("/v1.0/organization", token).status == 200);
  CHECK(c.get("/v1.0/subscribedSkus", token).status == 200);
  CHECK(c.get("/v1.0/directory/subscriptions", token).status == 200);
}

TEST_CASE("Directory.Read.All alone reads everything a scan reads") {
  auto server = start(tenant_with_roles({"Directory.Read.All"}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  for (std::string target :
       {"/v1.0/users?$top=1", "/v1.0/organization", "/v1.0/subscribedSkus", "/v1.0/directory/subscriptions"}) {
    CAPTURE(target);
    CHECK(c.get(target, token).status == 200);
  }
}

TEST_CASE("subscribedSkus takes LicenseAssignment.Read.All, directory/subscriptions does not") {
  auto server = start(tenant_with_roles({"User.Read.All", "LicenseAssignment.Read.All"}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  CHECK(c.get("/v1.0/subscribedSkus", token).status == 200);
  check_refused(c.get("/v1.0/directory/subscriptions", token));
  CHECK(c.get("/v1.0/organization", token).status == 200);  // User.Read.All reads the organization
}

TEST_CASE("a token without any role is refused on every Graph route, and a bad request is still a 400 first") {
  auto server = start(tenant_with_roles({}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  check_refused(c.get("/v1.0/organization", token));
  check_refused(c.get("/v1.0/subscribedSkus", token));
  CHECK(c.get("/v1.0/nosuchthing", token).status == 400);
}

TEST_CASE("$batch items are checked one by one: licenseDetails refused inside a 200 envelope") {
  auto server = start(tenant_with_roles({"Organization.Read.All"}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto r = c.send("POST", "/v1.0/$batch", {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                  R"({"requests":[{"id":"1","method":"GET","url":"/users/nobody/licenseDetails"},)"
                  R"({"id":"2","method":"GET","url":"/subscribedSkus"}]})");
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  auto const& responses = doc["responses"];
  REQUIRE(responses.Size() == 2);
  CHECK(responses[0]["status"].GetInt() == 403);
  CHECK(std::string(responses[0]["body"]["error"]["code"].GetString()) == "Authorization_RequestDenied");
  CHECK(responses[1]["status"].GetInt() == 200);
}

TEST_CASE("assignLicense needs a write permission: the read ones are refused") {
  auto server = start(tenant_with_roles({"User.Read.All", "Organization.Read.All", "LicenseAssignment.Read.All"}));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto users = json(c.get("/v1.0/users?$top=1&$select=id", token).body);
  std::string const id = users["value"][0]["id"].GetString();
  check_refused(c.send("POST", "/v1.0/users/" + id + "/assignLicense",
                       {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                       R"({"addLicenses":[],"removeLicenses":[]})"));
}

TEST_CASE("the permission table accepts any listed permission, ignoring case, and parse_roles splits sim's list") {
  using graphsim::route_id;
  std::vector<std::string> const read{"user.read.all"};
  CHECK(graphsim::roles_allow(route_id::users_list, read));
  CHECK(graphsim::roles_allow(route_id::user_license_details, read));
  CHECK_FALSE(graphsim::roles_allow(route_id::subscriptions, read));
  CHECK_FALSE(graphsim::roles_allow(route_id::user_assign_license, read));
  CHECK(graphsim::roles_allow(route_id::batch, std::vector<std::string>{}));
  CHECK(graphsim::accepted_roles(route_id::subscribed_skus).front() == "LicenseAssignment.Read.All");
  CHECK(graphsim::parse_roles(" User.Read.All, ,Organization.Read.All ") ==
        std::vector<std::string>{"User.Read.All", "Organization.Read.All"});
  CHECK(graphsim::parse_roles("").empty());
}
