// The emulator's managed identity endpoints (IMDS, App Service, Azure Arc) on their own loopback listeners: the
// headers each demands, the identities it knows, and tokens that its Graph side accepts.
#include "graphsim/detail/identity_service.hpp"
#include "server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

namespace {

std::unique_ptr<graphsim::background_server> start_with_identities() {
  auto options = server_test::small_tenant();
  options.identity_endpoints = true;
  return server_test::start(options);
}

std::string imds_target(std::string const& extra = "") {
  return "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com" + extra;
}

}  // namespace

TEST_CASE("the emulated IMDS issues a token for the system-assigned identity that Graph accepts") {
  auto server = start_with_identities();
  auto const& id = server->identity();
  REQUIRE_FALSE(id.imds_url.empty());
  CHECK(id.imds_url.starts_with("http://127.0.0.1:"));
  server_test::client imds(id.imds_url);
  auto r = imds.send("GET", imds_target(), {{"Metadata", "true"}});
  REQUIRE(r.status == 200);
  auto doc = server_test::json(r.body);
  REQUIRE(doc.IsObject());
  CHECK(std::string(doc["client_id"].GetString()) == id.system_client_id);
  CHECK(std::string(doc["resource"].GetString()) == "https://graph.microsoft.com");
  CHECK(doc["expires_on"].IsString());
  CHECK(doc["expires_in"].IsString());
  std::string const token = doc["access_token"].GetString();
  server_test::client graph(server->url());
  CHECK(graph.get("/v1.0/organization", token).status == 200);
}

TEST_CASE("the emulated IMDS refuses a request without Metadata true with 400 as IMDS does") {
  auto server = start_with_identities();
  server_test::client imds(server->identity().imds_url);
  for (auto const& headers : {server_test::header_list{}, server_test::header_list{{"Metadata", "false"}}}) {
    auto r = imds.send("GET", imds_target(), headers);
    CHECK(r.status == 400);
    auto doc = server_test::json(r.body);
    REQUIRE(doc.IsObject());
    CHECK(std::string(doc["error"].GetString()) == "invalid_request");
    CHECK(std::string(doc["error_description"].GetString()) == "Required metadata header not specified");
  }
}

TEST_CASE("the emulated IMDS serves the user-assigned identity by client id, object id or resource id") {
  auto server = start_with_identities();
  auto const& id = server->identity();
  server_test::client imds(id.imds_url);
  for (auto const& param :
       {"&client_id=" + id.user_client_id, "&object_id=" + id.user_object_id, "&msi_res_id=" + id.user_resource_id}) {
    auto r = imds.send("GET", imds_target(param), {{"Metadata", "true"}});
    REQUIRE(r.status == 200);
    CHECK(std::string(server_test::json(r.body)["client_id"].GetString()) == id.user_client_id);
  }
  auto unknown =
      imds.send("GET", imds_target("&client_id=00000000-0000-0000-0000-000000000001"), {{"Metadata", "true"}});
  CHECK(unknown.status == 400);
  auto doc = server_test::json(unknown.body);
  REQUIRE(doc.IsObject());
  CHECK(std::string(doc["error"].GetString()) == "invalid_request");
  CHECK(std::string(doc["error_description"].GetString()) == "Identity not found");
}

TEST_CASE("the emulated App Service endpoint wants its X-IDENTITY-HEADER and answers with expires_on") {
  auto server = start_with_identities();
  auto const& id = server->identity();
  std::string const base = id.app_service_endpoint.substr(0, id.app_service_endpoint.find("/msi/token"));
  server_test::client app(base);
  std::string const target = "/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fgraph.microsoft.com";
  CHECK(app.send("GET", target).status == 400);
  CHECK(app.send("GET", target, {{"X-IDENTITY-HEADER", "wrong"}}).status == 400);
  auto r = app.send("GET", target, {{"X-IDENTITY-HEADER", id.identity_header}});
  REQUIRE(r.status == 200);
  auto doc = server_test::json(r.body);
  CHECK(doc["expires_on"].IsString());
  server_test::client graph(server->url());
  CHECK(graph.get("/v1.0/organization", doc["access_token"].GetString()).status == 200);
  auto user =
      app.send("GET", target + "&principal_id=" + id.user_object_id, {{"X-IDENTITY-HEADER", id.identity_header}});
  REQUIRE(user.status == 200);
  CHECK(std::string(server_test::json(user.body)["client_id"].GetString()) == id.user_client_id);
}

TEST_CASE("the emulated Azure Arc endpoint challenges with a key file and accepts its content once") {
  auto server = start_with_identities();
  auto const& id = server->identity();
  server_test::client arc(id.arc_imds_endpoint);
  std::string const target =
      "/metadata/identity/oauth2/token?api-version=2019-11-01&resource=https%3A%2F%2Fgraph.microsoft.com";
  auto first = arc.send("GET", target, {{"Metadata", "true"}});
  REQUIRE(first.status == 401);
  auto const realm = first.header("www-authenticate");
  REQUIRE(realm.starts_with("Basic realm="));
  std::filesystem::path const key_file = realm.substr(std::string("Basic realm=").size());
  CHECK(key_file.parent_path() == std::filesystem::path(id.arc_key_dir));
  CHECK(key_file.extension() == ".key");
  auto const key = test_support::read_file(key_file);
  REQUIRE_FALSE(key.empty());
  auto second = arc.send("GET", target, {{"Metadata", "true"}, {"Authorization", "Basic " + key}});
  REQUIRE(second.status == 200);
  server_test::client graph(server->url());
  CHECK(graph.get("/v1.0/organization", server_test::json(second.body)["access_token"].GetString()).status == 200);
  // A key is good for one answer: sent again, it meets a new challenge.
  CHECK(arc.send("GET", target, {{"Metadata", "true"}, {"Authorization", "Basic " + key}}).status == 401);
  // Arc serves only the system-assigned identity.
  CHECK(arc.send("GET", target + "&client_id=" + id.user_client_id, {{"Metadata", "true"}}).status == 400);
}
