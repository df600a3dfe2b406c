// The emulator's device authorization grant and refresh tokens (docs/graphsim.md, "Device code sign-in"): what a
// person's sign-in looks like on the wire, polled by hand here.
#include "server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

namespace {

constexpr const char* cli_client = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
constexpr const char* device_grant = "urn:ietf:params:oauth:grant-type:device_code";

std::unique_ptr<graphsim::background_server> start_quick(unsigned expiry_s = 60) {
  auto options = server_test::small_tenant();
  options.device_code_interval_s = 1;
  options.device_code_expiry_s = expiry_s;
  return server_test::start(options);
}

std::string scopes(graphsim::background_server const& s) {
  return s.url() + "/User.Read.All " + s.url() + "/Organization.Read.All offline_access";
}

server_test::reply ask_code(server_test::client& c, graphsim::background_server const& s) {
  return c.send("POST", "/organizations/oauth2/v2.0/devicecode",
                {{"Content-Type", "application/x-www-form-urlencoded"}},
                server_test::form({{"client_id", cli_client}, {"scope", scopes(s)}}));
}

server_test::reply poll(server_test::client& c, std::string const& device_code) {
  return c.send(
      "POST", "/organizations/oauth2/v2.0/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
      server_test::form({{"grant_type", device_grant}, {"client_id", cli_client}, {"device_code", device_code}}));
}

std::string field(server_test::reply const& r, char const* name) {
  auto doc = server_test::json(r.body);
  if (!doc.IsObject() || !doc.HasMember(name) || !doc[name].IsString()) return {};
  return doc[name].GetString();
}

void wait_interval() { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

}  // namespace

TEST_CASE("a device code is pending until approved, then gives a delegated token with scp that Graph accepts") {
  auto server = start_quick();
  server_test::client c(server->url());
  auto code = ask_code(c, *server);
  REQUIRE(code.status == 200);
  std::string const device_code = field(code, "device_code");
  std::string const user_code = field(code, "user_code");
  CHECK(user_code.size() == 9);
  CHECK(field(code, "message").find("enter the code " + user_code) != std::string::npos);

  wait_interval();
  auto pending = poll(c, device_code);
  CHECK(pending.status == 400);
  CHECK(field(pending, "error") == "authorization_pending");
  CHECK(c.send("POST", "/_sim/device/approve?user_code=" + user_code).status == 200);
  wait_interval();
  auto granted = poll(c, device_code);
  REQUIRE(granted.status == 200);
  std::string const token = field(granted, "access_token");
  CHECK_FALSE(field(granted, "refresh_token").empty());
  CHECK(c.get("/v1.0/users?$top=1", token).status == 200);
  // Redeemed once: the same device code is unknown afterwards.
  wait_interval();
  CHECK(field(poll(c, device_code), "error") == "bad_verification_code");
}

TEST_CASE("polling faster than the interval is slow_down, and a code past its expiry is expired_token") {
  auto server = start_quick(2);
  server_test::client c(server->url());
  std::string const device_code = field(ask_code(c, *server), "device_code");
  CHECK(field(poll(c, device_code), "error") == "slow_down");  // at once: earlier than the 1 s interval
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK(field(poll(c, device_code), "error") == "expired_token");
}

TEST_CASE("a declined code is authorization_declined, and an unknown user code is 404") {
  auto server = start_quick();
  server_test::client c(server->url());
  auto code = ask_code(c, *server);
  CHECK(c.send("POST", "/_sim/device/decline?user_code=NOSUCHONE").status == 404);
  CHECK(c.send("POST", "/_sim/device/decline?user_code=" + field(code, "user_code")).status == 200);
  wait_interval();
  CHECK(field(poll(c, field(code, "device_code")), "error") == "authorization_declined");
}

TEST_CASE("a refresh token rotates at each use, a spent or revoked one is invalid_grant") {
  auto server = start_quick();
  server_test::client c(server->url());
  auto code = ask_code(c, *server);
  c.send("POST", "/_sim/device/approve?user_code=" + field(code, "user_code"));
  wait_interval();
  std::string const first = field(poll(c, field(code, "device_code")), "refresh_token");
  REQUIRE_FALSE(first.empty());
  auto redeem = [&](std::string const& refresh) {
    return c.send("POST", "/organizations/oauth2/v2.0/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                  server_test::form({{"grant_type", "refresh_token"},
                                     {"client_id", cli_client},
                                     {"refresh_token", refresh},
                                     {"scope", scopes(*server)}}));
  };
  auto second = redeem(first);
  REQUIRE(second.status == 200);
  std::string const rotated = field(second, "refresh_token");
  CHECK(rotated != first);
  CHECK(field(redeem(first), "error") == "invalid_grant");
  CHECK(c.send("POST", "/_sim/refresh-tokens/revoke").status == 200);
  auto revoked = redeem(rotated);
  CHECK(revoked.status == 400);
  CHECK(revoked.body.find("AADSTS50173") != std::string::npos);
}

TEST_CASE("an application may not sign in at organizations, a person may") {
  auto server = start_quick();
  server_test::client c(server->url());
  auto app = c.send("POST", "/organizations/oauth2/v2.0/token", {{"Content-Type", "application/x-www-form-urlencoded"}},
                    server_test::form({{"grant_type", "client_credentials"},
                                       {"client_id", server->client_id()},
                                       {"client_secret", server->client_secret()},
                                       {"scope", "https://graph.microsoft.com/.default"}}));
  CHECK(app.status == 400);
  CHECK(app.body.find("AADSTS90002") != std::string::npos);
  CHECK(ask_code(c, *server).status == 200);
}
