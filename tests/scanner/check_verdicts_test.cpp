// `entra-audit check`: what each answer means for a scan and the fix printed for it (pure functions).
#include "scanner/detail/check_verdicts.hpp"

#include "scanner/detail/encoding.hpp"
#include "scanner/detail/token_claims.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace scanner;
using namespace std::chrono_literals;

namespace {

check_context contoso(license_details_mode mode = license_details_mode::derived) {
  check_context ctx;
  ctx.graph_endpoint = "https://graph.microsoft.com";
  ctx.authority_host = "https://login.microsoftonline.com";
  ctx.tenant_id = "contoso.onmicrosoft.com";
  ctx.client_id = "11111111-2222-3333-4444-555555555555";
  ctx.mode = mode;
  return ctx;
}

probe_answer ok(std::string body) { return {200, {}, {}, {}, std::move(body), true}; }
probe_answer refused(unsigned status, std::string code, std::string request_id = "rid-1") {
  return {status, std::move(code), std::move(request_id), "GET … failed: " + std::to_string(status), {}, true};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string jwt(const std::string& payload) {
  return base64url_encode(R"({"typ":"JWT","alg":"RS256"})") + "." + base64url_encode(payload) + ".c2ln";
}

constexpr std::string_view users_request = "GET /v1.0/users?$select=id&$top=1&$count=true";

}  // namespace

TEST_CASE("a users count answered with @odata.count is ok and says how the scan will list the users") {
  auto row = count_row(std::string(users_request), ok(R"({"@odata.count":250000,"value":[{"id":"a"}]})"), contoso());
  CHECK(row.result == verdict::ok);
  CHECK(has(row.detail, "250000 users"));
  CHECK(has(row.detail, "shards"));
  auto small = count_row(std::string(users_request), ok(R"({"@odata.count":12,"value":[]})"), contoso());
  CHECK(small.result == verdict::ok);
  CHECK(has(small.detail, "one chain of 1 page "));
}

TEST_CASE("a 200 without @odata.count means Graph ignored $count: a warning that names the one-chain cost") {
  auto row = count_row(std::string(users_request), ok(R"({"value":[{"id":"a"}]})"), contoso());
  CHECK(row.result == verdict::warn);
  CHECK(has(row.detail, "no @odata.count"));
  CHECK(has(row.detail, "one chain, ~N/999 requests in a row"));
  CHECK(has(row.fix, "--shards off"));
}

TEST_CASE("a $count or a shard filter refused with 400 is a warning (no sharding), a 403 a failure") {
  auto count = count_row(std::string(users_request), refused(400, "Request_UnsupportedQuery"), contoso());
  CHECK(count.result == verdict::warn);
  CHECK(has(count.detail, "Request_UnsupportedQuery"));
  auto shard = shard_row("GET /v1.0/users?$filter=…", refused(400, "Request_UnsupportedQuery"), contoso());
  CHECK(shard.result == verdict::warn);
  CHECK(has(shard.detail, "no sharding"));
  auto denied = shard_row("GET /v1.0/users?$filter=…", refused(403, "Authorization_RequestDenied"), contoso());
  CHECK(denied.result == verdict::fail);
  CHECK(has(denied.fix, "User.Read.All"));
}

TEST_CASE("a 403 names the permission to grant, admin consent and the consent URL on the login host") {
  auto ctx = contoso();
  ctx.authority_host = "https://login.microsoftonline.us";
  auto row =
      probe_row("subscribedSkus", "GET /v1.0/subscribedSkus", refused(403, "Authorization_RequestDenied"), {}, ctx);
  CHECK(row.result == verdict::fail);
  CHECK(has(row.fix, "grant the application permission Organization.Read.All"));
  CHECK(has(row.fix,
            "grant admin consent: https://login.microsoftonline.us/contoso.onmicrosoft.com/adminconsent"
            "?client_id=11111111-2222-3333-4444-555555555555"));
  CHECK(row.request_id == "rid-1");
  auto users = probe_row("users", "GET /v1.0/users?$top=1", refused(403, "Authorization_RequestDenied"), {}, ctx);
  CHECK(has(users.fix, "permission User.Read.All"));
  CHECK_FALSE(has(users.fix, "Organization.Read.All"));
}

TEST_CASE("licenseDetails refused: a failure in fetch mode (use derived), only a warning in derived mode") {
  auto const answer = refused(403, "Authorization_RequestDenied");
  auto fetch = license_details_row("POST /v1.0/$batch", answer, contoso(license_details_mode::fetch));
  CHECK(fetch.result == verdict::fail);
  CHECK(has(fetch.fix, "--license-details derived"));
  CHECK(has(fetch.fix, "LicenseAssignment.Read.All"));
  auto derived = license_details_row("POST /v1.0/$batch", answer, contoso());
  CHECK(derived.result == verdict::warn);
  CHECK(license_details_row("POST /v1.0/$batch", ok("{}"), contoso()).result == verdict::ok);
}

TEST_CASE("sign-in refusals get the fix for their AADSTS code, and keep the trace id") {
  auto tenant = sign_in_row(refused(400, "AADSTS90002", "trace-9"), "the client secret", contoso());
  CHECK(tenant.result == verdict::fail);
  CHECK(tenant.request_id == "trace-9");
  CHECK(has(tenant.fix, "AZURE_TENANT_ID"));
  CHECK(has(tenant.fix, "--cloud usgov|usgov-dod|china"));
  auto cross = sign_in_row(refused(400, "AADSTS900382"), "the client secret", contoso());
  CHECK(has(cross.fix, "another cloud"));
  CHECK(has(cross.fix, "--cloud"));
  auto secret = sign_in_row(refused(401, "AADSTS7000215"), "the client secret", contoso());
  CHECK(has(secret.fix, "AZURE_CLIENT_SECRET"));
  auto ok_row = sign_in_row(ok({}), "the client secret", contoso());
  CHECK(ok_row.result == verdict::ok);
  CHECK(has(ok_row.detail, "the client secret"));
}

TEST_CASE("a host that does not answer gets the proxy fix, without the proxy's password") {
  probe_answer none{0, {}, {}, "cannot connect to login.microsoftonline.com:443: Connection refused", {}, true};
  auto direct = sign_in_row(none, "the client secret", contoso());
  CHECK(direct.result == verdict::fail);
  CHECK(has(direct.fix, "HTTPS_PROXY"));
  auto ctx = contoso();
  ctx.https_proxy = "http://alice:s3cret@proxy.corp:3128";
  auto proxied = unreachable_fix(none, "https://graph.microsoft.com/v1.0/users", ctx);
  CHECK(has(proxied, "http://proxy.corp:3128"));
  CHECK(has(proxied, "graph.microsoft.com"));
  CHECK_FALSE(has(proxied, "s3cret"));
}

TEST_CASE("a clock more than 5 minutes off the server's Date is a warning with the fix") {
  auto const server = std::chrono::system_clock::from_time_t(1'700'000'000);  // Tue, 14 Nov 2023 22:13:20 GMT
  std::string const date = "Tue, 14 Nov 2023 22:13:20 GMT";
  CHECK(clock_row(date, "graph.microsoft.com", server + 30s).result == verdict::ok);
  auto ahead = clock_row(date, "graph.microsoft.com", server + 7min);
  CHECK(ahead.result == verdict::warn);
  CHECK(has(ahead.detail, "7 min ahead of"));
  CHECK(has(ahead.fix, "NTP"));
  CHECK(has(clock_row(date, "graph.microsoft.com", server - 2h).detail, "behind"));
  CHECK(clock_row(std::nullopt, "graph.microsoft.com", server).result == verdict::ok);
}

TEST_CASE("the token's claims are read from its payload, never printed whole") {
  auto const token = jwt(R"({"aud":"https://graph.microsoft.com","iss":"https://sts.windows.net/t/","tid":"t",)"
                         R"("appid":"a","roles":["User.Read.All","Organization.Read.All"],"exp":1700003600})");
  auto claims = decode_token_claims(token);
  REQUIRE(claims.has_value());
  CHECK(claims->roles == std::vector<std::string>{"User.Read.All", "Organization.Read.All"});
  CHECK(claims->tid == "t");
  CHECK(cloud_of_issuer(claims->iss) == "global");
  auto row = token_row(claims, contoso(), std::chrono::system_clock::from_time_t(1'700'000'000));
  CHECK(row.result == verdict::ok);
  CHECK(has(row.detail, "roles: User.Read.All, Organization.Read.All"));
  CHECK(has(row.detail, "expires 2023-11-14T23:13:20Z (in 60 min)"));
  CHECK_FALSE(has(row.detail, token));
  CHECK_FALSE(decode_token_claims("opaque-token").has_value());
  CHECK(token_row(std::nullopt, contoso(), {}).result == verdict::warn);
}

TEST_CASE("a token from another cloud than the Graph endpoint's fails and names the --cloud to choose") {
  auto claims = decode_token_claims(jwt(R"({"iss":"https://login.microsoftonline.us/t/","roles":["User.Read.All"]})"));
  REQUIRE(claims.has_value());
  auto row = token_row(claims, contoso(), {});
  CHECK(row.result == verdict::fail);
  CHECK(has(row.fix, "--cloud usgov"));
  auto gov = contoso();
  gov.graph_endpoint = "https://dod-graph.microsoft.us";
  CHECK(token_row(claims, gov, {}).result == verdict::ok);
}

TEST_CASE("a token without roles warns and names the permissions a scan needs") {
  auto row = token_row(decode_token_claims(jwt(R"({"iss":"https://sts.windows.net/t/"})")), contoso(), {});
  CHECK(row.result == verdict::warn);
  CHECK(has(row.fix, "User.Read.All and Organization.Read.All"));
  CHECK(has(row.fix, "adminconsent"));
}

TEST_CASE("an optional door read that is refused is an info line naming its permission, never a failure") {
  auto const row = door_probe_row("authorizationPolicy", "GET /v1.0/policies/authorizationPolicy",
                                  refused(403, "Authorization_RequestDenied"), "unused",
                                  "signup and email_verified_join", contoso());
  CHECK(row.result == verdict::info);
  CHECK(has(row.detail, "403 Authorization_RequestDenied"));
  CHECK(has(row.detail, "the signup and email_verified_join doors will be reported unknown"));
  CHECK(has(row.fix,
            "optional: grant the application permission Policy.Read.All to app "
            "11111111-2222-3333-4444-555555555555, then grant admin consent: "
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent"));
  CHECK(row.request_id == "rid-1");

  auto const apps = door_probe_row("appsAndServices", "GET /beta/admin/appsAndServices", refused(403, "Forbidden"), "",
                                   "trials and office_store", contoso());
  CHECK(has(apps.fix, "OrgSettings-AppsAndServices.Read.All"));

  auto const missing = door_probe_row("appsAndServices", "GET /beta/admin/appsAndServices",
                                      refused(404, "ResourceNotFound"), "", "trials and office_store", contoso());
  CHECK(missing.result == verdict::info);
  CHECK(has(missing.detail, "a beta endpoint of the global cloud only"));
  CHECK(missing.fix.empty());

  probe_answer unreachable;
  unreachable.message = "GET /v1.0/policies/authorizationPolicy timed out";
  auto const down = door_probe_row("authorizationPolicy", "GET /v1.0/policies/authorizationPolicy", unreachable, "",
                                   "signup and email_verified_join", contoso());
  CHECK(down.result == verdict::info);
  CHECK(has(down.detail, "could not be read (GET /v1.0/policies/authorizationPolicy timed out)"));
  CHECK(to_string(verdict::info) == "info");
}

TEST_CASE("an optional door read that succeeds is ok with the doors it shows") {
  auto const row =
      door_probe_row("authorizationPolicy", "GET /v1.0/policies/authorizationPolicy", ok("{}"),
                     "signup open, email_verified_join closed", "signup and email_verified_join", contoso());
  CHECK(row.result == verdict::ok);
  CHECK(row.detail == "signup open, email_verified_join closed");
  CHECK(row.fix.empty());
}

TEST_CASE("under a national cloud the appsAndServices read is not probed and says why") {
  auto const row =
      door_not_in_cloud_row("appsAndServices", "GET /beta/admin/appsAndServices", "trials and office_store");
  CHECK(row.result == verdict::info);
  CHECK(has(row.detail, "/beta/admin/appsAndServices exists in the global cloud only"));
  CHECK(has(row.detail, "the trials and office_store doors will be reported unknown"));
}

TEST_CASE("a person's token shows scp, names the directory role, and warns when a scope a scan needs is missing") {
  auto const full = decode_token_claims(
      jwt(R"({"iss":"https://sts.windows.net/t/","appid":"a","scp":"User.Read.All Organization.Read.All",)"
          R"("upn":"auditor@contoso.example"})"));
  REQUIRE(full.has_value());
  CHECK(full->upn == "auditor@contoso.example");
  auto row = token_row(full, contoso(), {});
  CHECK(row.result == verdict::ok);
  CHECK(has(row.detail, "scp: User.Read.All, Organization.Read.All"));
  CHECK(has(row.detail, "e.g. Global Reader"));
  CHECK_FALSE(has(row.detail, "roles"));
  auto partial = token_row(decode_token_claims(jwt(R"({"appid":"a","scp":"User.Read"})")), contoso(), {});
  CHECK(partial.result == verdict::warn);
  CHECK(has(partial.fix, "grant app a the delegated permissions User.Read.All and Organization.Read.All"));
}

TEST_CASE("signed in with a device code, a 403 names the directory role and the delegated permission") {
  auto ctx = contoso();
  ctx.delegated = true;
  auto row =
      probe_row("subscribedSkus", "GET /v1.0/subscribedSkus", refused(403, "Authorization_RequestDenied"), {}, ctx);
  CHECK(row.result == verdict::fail);
  CHECK(has(row.fix, "the signed-in user needs a directory role that reads users and licenses (e.g. Global Reader)"));
  CHECK(has(row.fix, "the delegated permission Organization.Read.All"));
}
