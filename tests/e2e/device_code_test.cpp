// --credential device-code against the emulator's devicecode and token endpoints: the code shown, approved or
// declined through /_sim/device/*, the refresh token cached (mode 0600), reused silently, refused when revoked,
// and deleted by `sign-out`. Every endpoint is on 127.0.0.1.
#include "e2e/credential_fixtures.hpp"
#include "e2e/fake_tenant.hpp"
#include "e2e/sql_probe.hpp"
#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

using test_support::run_entra_audit;

namespace {

bool has(std::string const& text, std::string const& what) { return text.find(what) != std::string::npos; }
int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

graphsim::sim_options quick_codes(unsigned expiry_s = 60) {
  graphsim::sim_options o;
  o.users = 30;
  o.device_code_interval_s = 1;
  o.device_code_expiry_s = expiry_s;
  return o;
}

// The cache files in dir.
std::vector<std::filesystem::path> cache_files(std::filesystem::path const& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto const& e : std::filesystem::directory_iterator(dir, ec)) files.push_back(e.path());
  return files;
}

std::vector<std::string> device_args(e2e::emulated_tenant const& tenant, std::string const& db) {
  return tenant.scan_args(db, {"--credential", "device-code"});
}

}  // namespace

TEST_CASE("a device code sign-in shows the code, scans once approved, and caches the refresh token with mode 0600") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  int const rc = e2e::device_sign_in(tenant, device_args(tenant, (dir / "a.db").string()), env, dir.path(), "approve");
  std::string const err = test_support::read_file(dir / "err");
  INFO(err);
  CHECK(rc == 0);
  CHECK(has(err, "To sign in, use a web browser to open the page https://microsoft.com/devicelogin"));
  CHECK(has(err, "signed in with a device code of auditor@"));
  auto const files = cache_files(cache.path());
  REQUIRE(files.size() == 1);
  struct stat st {};
  REQUIRE(::stat(files.front().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(has(test_support::read_file(files.front()), "\"refresh_token\":\"0.sim."));

  // The next run, even without --credential on its command line and without a terminal, signs in silently.
  auto again =
      run_entra_audit(tenant.scan_args((dir / "b.db").string()), {"ENTRA_AUDIT_CREDENTIAL=device-code", env.front()});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_FALSE(has(again.err, "enter the code"));
  CHECK(has(again.err, "signed in with the cached device-code sign-in of auditor@"));
  // The refresh token rotated: the cache holds the new one, still 0600.
  REQUIRE(::stat(files.front().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // Signed in as a person, licenseDetails is read per user (fetch mode), without falling back to derived.
  auto fetch = run_entra_audit(tenant.scan_args((dir / "c.db").string(), {"--license-details", "fetch"}),
                               {"ENTRA_AUDIT_CREDENTIAL=device-code", env.front()});
  INFO(fetch.err);
  CHECK(fetch.exit_code == 0);
  CHECK(e2e::query_text((dir / "c.db").string(), "SELECT license_details_mode FROM latest_scans") == "fetch");
  CHECK(e2e::query_int((dir / "c.db").string(), "SELECT count(*) FROM license_plans") > 0);
}

TEST_CASE("check with a device code shows the scp claim and the directory role the user needs") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, cache;
  std::vector<std::string> args{"check", "--credential", "device-code"};
  auto const endpoint = tenant.endpoint_args();
  args.insert(args.end(), endpoint.begin(), endpoint.end());
  int const rc =
      e2e::device_sign_in(tenant, args, {"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()}, dir.path(), "approve");
  std::string const out = test_support::read_file(dir / "out");
  INFO(out);
  CHECK(rc == 0);
  CHECK(has(out, "scp: User.Read.All, Organization.Read.All"));
  CHECK(has(out, "e.g. Global Reader"));
  CHECK_FALSE(has(out, "roles: none"));
}

TEST_CASE("without a cached sign-in and without a terminal, device code fails at once with one line") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, cache;
  auto const started = std::chrono::steady_clock::now();
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()),
                           {"ENTRA_AUDIT_CREDENTIAL=device-code", "ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err,
            "no cached sign-in for app 04b07795-8ddb-461a-bbee-02f9e1bf7b46 in tenant organizations and no "
            "terminal to show a device code on"));
  CHECK(count_lines(r.err) == 1);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("a revoked refresh token drops the cache entry and says to sign in again") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  REQUIRE(e2e::device_sign_in(tenant, device_args(tenant, (dir / "a.db").string()), env, dir.path(), "approve") == 0);
  REQUIRE(cache_files(cache.path()).size() == 1);
  server_test::client control(tenant.server().url(), tenant.server().ca_pem_path());
  REQUIRE(control.send("POST", "/_sim/refresh-tokens/revoke").status == 200);

  auto r = run_entra_audit(tenant.scan_args((dir / "b.db").string()), {"ENTRA_AUDIT_CREDENTIAL=device-code", env[0]});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err,
            "the cached sign-in for app 04b07795-8ddb-461a-bbee-02f9e1bf7b46 in tenant organizations was "
            "refused (AADSTS50173"));
  CHECK(has(r.err, "is deleted from the token cache — sign in again"));
  CHECK(count_lines(r.err) == 1);
  CHECK(cache_files(cache.path()).empty());
}

TEST_CASE("a declined code and an expired code each end with one clear line and exit 1") {
  e2e::emulated_tenant tenant(quick_codes()), short_lived(quick_codes(2));
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  int const declined =
      e2e::device_sign_in(tenant, device_args(tenant, (dir / "a.db").string()), env, dir.path(), "decline");
  std::string const err = test_support::read_file(dir / "err");
  INFO(err);
  CHECK(declined == 1);
  CHECK(has(err, "the sign-in was declined in the browser (authorization_declined) — run again and approve"));

  auto expired = run_entra_audit(device_args(short_lived, (dir / "b.db").string()), env, 60);
  INFO(expired.err);
  CHECK(expired.exit_code == 1);
  CHECK(has(expired.err, "the device code expired before the sign-in was completed"));
  CHECK(has(expired.err, "run again and enter the code within 1 minute"));
  CHECK(cache_files(cache.path()).empty());
}

TEST_CASE("a cache file other users can read is refused with the fix, and sign-out deletes it and says so") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, xdg;
  // No override: the cache goes to $XDG_CACHE_HOME/entra-audit.
  std::vector<std::string> const env{"XDG_CACHE_HOME=" + xdg.path().string()};
  REQUIRE(e2e::device_sign_in(tenant, device_args(tenant, (dir / "a.db").string()), env, dir.path(), "approve") == 0);
  auto const files = cache_files(xdg / "entra-audit");
  REQUIRE(files.size() == 1);
  std::filesystem::permissions(files.front(), std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);

  auto loose =
      run_entra_audit(tenant.scan_args((dir / "b.db").string()), {"ENTRA_AUDIT_CREDENTIAL=device-code", env[0]});
  CHECK(loose.exit_code == 2);
  CHECK(has(loose.err, "refusing to use the token cache file '" + files.front().string() + "': its mode 0644"));
  CHECK(count_lines(loose.err) == 1);

  auto out = run_entra_audit({"sign-out"}, env);
  CHECK(out.exit_code == 0);
  CHECK(has(out.out, "deleted the cached sign-in of auditor@"));
  CHECK(
      has(out.out, "to app 04b07795-8ddb-461a-bbee-02f9e1bf7b46 in tenant organizations at " + tenant.server().url()));
  CHECK(cache_files(xdg / "entra-audit").empty());
  auto nothing = run_entra_audit({"sign-out"}, env);
  CHECK(nothing.exit_code == 0);
  CHECK(has(nothing.out, "no cached sign-in in " + (xdg / "entra-audit").string()));
}

TEST_CASE("--client-id picks the public client a device code signs in to, and the cache keys on it") {
  e2e::emulated_tenant tenant(quick_codes());
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  auto args = device_args(tenant, (dir / "a.db").string());
  args.insert(args.end(), {"--client-id", tenant.server().client_id(), "--tenant-id", tenant.server().tenant_id()});
  REQUIRE(e2e::device_sign_in(tenant, args, env, dir.path(), "approve") == 0);
  CHECK(has(test_support::read_file(dir / "err"), "for app " + tenant.server().client_id() + "; the refresh token"));
  // The default client has no cached sign-in of its own.
  auto other =
      run_entra_audit(tenant.scan_args((dir / "b.db").string()), {"ENTRA_AUDIT_CREDENTIAL=device-code", env[0]});
  CHECK(other.exit_code == 2);
  CHECK(has(other.err, "no cached sign-in for app 04b07795"));
}

namespace {

// A login service that answers the device flow as scripted: poll answers in order, then a token.
struct scripted_device_flow {
  std::vector<std::string> poll_errors;  // the `error` of each poll before the token
  std::mutex lock;
  std::vector<std::chrono::steady_clock::time_point> polls;

  std::optional<test_fake::reply> answer(test_fake::request const& r) {
    if (r.target.find("/oauth2/v2.0/devicecode") != std::string::npos)
      return test_fake::reply{200,
                              R"({"device_code":"dc-secret-1","user_code":"FAKE23456",)"
                              R"("verification_uri":"https://microsoft.com/devicelogin","expires_in":60,)"
                              R"("interval":1,"message":"To sign in, use a web browser to open the page )"
                              R"(https://microsoft.com/devicelogin and enter the code FAKE23456 to authenticate."})"};
    if (r.target.find("/oauth2/v2.0/token") == std::string::npos ||
        r.body.find("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code") == std::string::npos)
      return std::nullopt;
    std::lock_guard guard(lock);
    polls.push_back(std::chrono::steady_clock::now());
    if (polls.size() <= poll_errors.size())
      return test_fake::reply{400, R"({"error":")" + poll_errors[polls.size() - 1] + R"(","error_codes":[70016]})"};
    return test_fake::reply{200, test_fake::token_body("fake.access.token")};
  }
};

}  // namespace

TEST_CASE("slow_down adds 5 s to the polling interval, and bad_verification_code is one clear line") {
  auto slow = std::make_shared<scripted_device_flow>();
  slow->poll_errors = {"authorization_pending", "slow_down"};
  e2e::fake_tenant tenant("[]", [slow](test_fake::request const& r) { return slow->answer(r); });
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--credential", "device-code"}), env, 60);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "enter the code FAKE23456"));
  CHECK_FALSE(has(r.err, "dc-secret-1"));
  REQUIRE(slow->polls.size() == 3);
  CHECK(slow->polls[1] - slow->polls[0] < std::chrono::milliseconds(2500));   // the interval: 1 s
  CHECK(slow->polls[2] - slow->polls[1] >= std::chrono::milliseconds(5900));  // 1 s + the 5 s slow_down adds

  auto bad = std::make_shared<scripted_device_flow>();
  bad->poll_errors = {"bad_verification_code"};
  e2e::fake_tenant unknown("[]", [bad](test_fake::request const& r) { return bad->answer(r); });
  auto refused = run_entra_audit(unknown.scan_args((dir / "b.db").string(), {"--credential", "device-code"}), env, 60);
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "the login service did not recognise the device code (bad_verification_code) — run again"));
  CHECK(count_lines(refused.err) == 2);  // Microsoft's message, then the error
}
