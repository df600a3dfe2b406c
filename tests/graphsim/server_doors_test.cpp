// sim --door and --cloud: the tenant settings behind self-service licenses, served as Graph documents them
// (docs/graphsim.md, "Doors"), refused without their permission, and the beta endpoint missing outside global.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace server_test;

namespace {

void check_error(reply const& r, unsigned status, std::string const& code) {
  CAPTURE(r.body);
  CHECK(r.status == status);
  auto doc = json(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["error"]["code"].GetString()) == code);
  CHECK(doc["error"]["innerError"].HasMember("request-id"));
}

}  // namespace

TEST_CASE("a new tenant's doors are open: sign-up, email-verified join, trials and the Office Store") {
  auto server = start(small_tenant(10));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto policy = c.get("/v1.0/policies/authorizationPolicy", token);
  REQUIRE(policy.status == 200);
  auto doc = json(policy.body);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(std::string(doc["id"].GetString()) == "authorizationPolicy");
  CHECK(doc["allowedToSignUpEmailBasedSubscriptions"].GetBool());
  CHECK(doc["allowEmailVerifiedUsersToJoinOrganization"].GetBool());
  CHECK(
      std::string(doc["@odata.context"].GetString()).ends_with("/v1.0/$metadata#policies/authorizationPolicy/$entity"));

  auto apps = c.get("/beta/admin/appsAndServices", token);
  REQUIRE(apps.status == 200);
  auto settings = json(apps.body);
  REQUIRE_FALSE(settings.HasParseError());
  CHECK(settings["value"]["settings"]["isAppAndServicesTrialEnabled"].GetBool());
  CHECK(settings["value"]["settings"]["isOfficeStoreEnabled"].GetBool());
}

TEST_CASE("sim --door closes each setting on its own") {
  auto options = small_tenant(10);
  REQUIRE(graphsim::apply_door(options.doors, "signup=closed").has_value());
  REQUIRE(graphsim::apply_door(options.doors, "trials=closed").has_value());
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto doc = json(c.get("/v1.0/policies/authorizationPolicy", token).body);
  CHECK_FALSE(doc["allowedToSignUpEmailBasedSubscriptions"].GetBool());
  CHECK(doc["allowEmailVerifiedUsersToJoinOrganization"].GetBool());
  auto settings = json(c.get("/beta/admin/appsAndServices", token).body);
  CHECK_FALSE(settings["value"]["settings"]["isAppAndServicesTrialEnabled"].GetBool());
  CHECK(settings["value"]["settings"]["isOfficeStoreEnabled"].GetBool());
}

TEST_CASE("a --door with an unknown name or state is a usage error naming the choices") {
  graphsim::sim_doors doors;
  auto bad_name = graphsim::apply_door(doors, "purchases=closed");
  REQUIRE_FALSE(bad_name.has_value());
  CHECK(bad_name.error().code == base::exit_code::usage);
  CHECK(bad_name.error().message.find("office-store") != std::string::npos);
  auto bad_state = graphsim::apply_door(doors, "trials=off");
  REQUIRE_FALSE(bad_state.has_value());
  CHECK(bad_state.error().message.find("--door trials=closed") != std::string::npos);
  CHECK(doors.trials);
}

TEST_CASE("without Policy.Read.All or OrgSettings-AppsAndServices.Read.All the door reads answer 403") {
  auto options = small_tenant(10);
  options.roles = std::vector<std::string>{"User.Read.All", "Organization.Read.All"};
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  check_error(c.get("/v1.0/policies/authorizationPolicy", token), 403, "Authorization_RequestDenied");
  check_error(c.get("/beta/admin/appsAndServices", token), 403, "Authorization_RequestDenied");

  options.roles =
      std::vector<std::string>{"Policy.ReadWrite.Authorization", "OrgSettings-AppsAndServices.ReadWrite.All"};
  auto writer = start(options);
  client w(writer->url());
  std::string const write_token = token_for(w, *writer);
  CHECK(w.get("/v1.0/policies/authorizationPolicy", write_token).status == 200);
  CHECK(w.get("/beta/admin/appsAndServices", write_token).status == 200);
}

TEST_CASE("under a national cloud the beta appsAndServices endpoint answers 404 and authorizationPolicy still works") {
  for (std::string cloud : {"usgov", "usgov-dod", "china"}) {
    CAPTURE(cloud);
    auto options = small_tenant(10);
    options.cloud = cloud;
    auto server = start(options);
    client c(server->url());
    std::string const token = token_for(c, *server);
    check_error(c.get("/beta/admin/appsAndServices", token), 404, "ResourceNotFound");
    CHECK(c.get("/v1.0/policies/authorizationPolicy", token).status == 200);
  }
}
