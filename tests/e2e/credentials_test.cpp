// --credential against the emulator's managed identity endpoints and a stand-in `az` (tests/e2e/fake_az): every
// endpoint on 127.0.0.1; ENTRA_AUDIT_TEST_NO_IMDS=1 in every run keeps the real IMDS address out of reach.
#include "e2e/emulated_tenant.hpp"
#include "graphsim/server_client_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>

using test_support::run_entra_audit;

namespace {

int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }
bool has(std::string const& text, std::string const& what) { return text.find(what) != std::string::npos; }

graphsim::sim_options with_identities() {
  graphsim::sim_options o;
  o.users = 30;
  o.identity_endpoints = true;
  return o;
}

// A PATH holding the fake az (or, with fake = false, no az at all) and the tools its script uses.
std::string path_with(bool fake, test_support::temp_dir const& empty) {
  std::string const fixture = std::string(ENTRA_AUDIT_SOURCE_DIR) + "/tests/e2e/fake_az";
  return "PATH=" + (fake ? fixture : empty.path().string()) + ":/usr/bin:/bin";
}

// A loopback port nothing listens on: bound, then released.
std::string closed_port_url() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address_v4("127.0.0.1"), 0});
  auto const port = a.local_endpoint().port();
  a.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace

TEST_CASE("scan --credential managed-identity signs in at the emulated IMDS, system- and user-assigned") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  test_support::temp_dir dir, empty;
  std::vector<std::string> const env{"AZURE_POD_IDENTITY_AUTHORITY_HOST=" + id.imds_url, path_with(false, empty)};

  auto system = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--credential", "managed-identity"}), env);
  CHECK(system.exit_code == 0);
  CHECK(has(system.err, "signed in with managed identity (IMDS at " + id.imds_url + ", system-assigned)"));

  auto user = run_entra_audit(
      tenant.scan_args((dir / "b.db").string(),
                       {"--credential", "managed-identity", "--managed-identity-client-id", id.user_client_id}),
      env);
  CHECK(user.exit_code == 0);
  CHECK(has(user.err, "user-assigned client_id=" + id.user_client_id));

  auto by_object = run_entra_audit(
      tenant.scan_args((dir / "c.db").string(),
                       {"--credential", "managed-identity", "--managed-identity-object-id", id.user_object_id}),
      env);
  CHECK(by_object.exit_code == 0);

  auto unknown = run_entra_audit(
      tenant.scan_args((dir / "d.db").string(), {"--credential", "managed-identity", "--managed-identity-client-id",
                                                 "00000000-0000-0000-0000-00000000abcd"}),
      env);
  CHECK(unknown.exit_code == 2);
  CHECK(has(unknown.err, "Identity not found"));
  CHECK(count_lines(unknown.err) == 1);
}

TEST_CASE("the App Service endpoint signs in and its identity header appears in no output and no database") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  test_support::temp_dir dir, empty;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--credential", "managed-identity", "-v"}),
                           {"IDENTITY_ENDPOINT=" + id.app_service_endpoint, "IDENTITY_HEADER=" + id.identity_header,
                            path_with(false, empty)});
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "signed in with managed identity (App Service at "));
  CHECK_FALSE(has(r.err, id.identity_header));
  CHECK_FALSE(has(r.out, id.identity_header));
  CHECK_FALSE(has(test_support::read_file(dir / "a.db"), id.identity_header));
}

TEST_CASE("Azure Arc's challenge is answered from a key file in its directory, and refused from anywhere else") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  test_support::temp_dir dir, empty;
  std::vector<std::string> env{"IDENTITY_ENDPOINT=" + id.arc_endpoint, "IMDS_ENDPOINT=" + id.arc_imds_endpoint,
                               path_with(false, empty)};
  // The emulator writes its key files in a temporary directory, not the agent's: outside it they are not sent.
  auto refused = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--credential", "managed-identity"}), env);
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "refusing to send it"));
  CHECK(count_lines(refused.err) == 1);

  env.push_back("ENTRA_AUDIT_TEST_ARC_KEY_DIR=" + id.arc_key_dir);
  auto r = run_entra_audit(tenant.scan_args((dir / "b.db").string(), {"--credential", "managed-identity"}), env);
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "signed in with managed identity (Azure Arc at "));
}

TEST_CASE("auto picks the managed identity when the IMDS override is set and no application credential is") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  test_support::temp_dir dir, empty;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--credential", "auto"}),
                           {"AZURE_POD_IDENTITY_AUTHORITY_HOST=" + id.imds_url, path_with(false, empty)});
  CHECK(r.exit_code == 0);
  CHECK(has(r.err,
            "credential skipped — environment: AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are "
            "not set"));
  CHECK(has(r.err, "credential skipped — workload identity: AZURE_FEDERATED_TOKEN_FILE is not set"));
  CHECK(has(r.err, "signed in with managed identity (IMDS at " + id.imds_url));
  // With the application's credentials set, auto takes them first and passes over nothing.
  auto env = tenant.env();
  env.push_back("AZURE_POD_IDENTITY_AUTHORITY_HOST=" + id.imds_url);
  auto app = run_entra_audit(tenant.scan_args((dir / "b.db").string(), {"--credential", "auto"}), env);
  CHECK(app.exit_code == 0);
  CHECK(has(app.err, "signed in with the client secret (AZURE_CLIENT_SECRET)"));
  CHECK_FALSE(has(app.err, "credential skipped"));
}

TEST_CASE("auto falls to the Azure CLI when no identity endpoint answers, and asks it for the Graph resource") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  // The token the CLI would hand out: one the emulator issued, so that its Graph accepts it.
  server_test::client imds(id.imds_url);
  auto issued = imds.send(
      "GET", "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fgraph.microsoft.com",
      {{"Metadata", "true"}});
  REQUIRE(issued.status == 200);
  std::string const token = server_test::json(issued.body)["access_token"].GetString();
  test_support::temp_dir dir, empty;
  auto const expires = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                           .count();
  test_support::write_file(dir / "token.json", R"({"accessToken":")" + token +
                                                   R"(","expiresOn":"2099-01-01 00:00:00.000000","expires_on":)" +
                                                   std::to_string(expires) + R"(,"subscription":"s","tenant":")" +
                                                   tenant.server().tenant_id() + R"(","tokenType":"Bearer"})");
  auto const started = std::chrono::steady_clock::now();
  auto r = run_entra_audit(
      tenant.scan_args((dir / "a.db").string(), {"--credential", "auto"}),
      {"AZURE_POD_IDENTITY_AUTHORITY_HOST=" + closed_port_url(), path_with(true, empty), "FAKE_AZ_MODE=token",
       "FAKE_AZ_TOKEN_FILE=" + (dir / "token.json").string(), "FAKE_AZ_ARGS_FILE=" + (dir / "args").string()});
  CHECK(r.exit_code == 0);
  CHECK(has(r.err, "credential skipped — managed identity: no IMDS answered at http://127.0.0.1:"));
  CHECK(has(r.err, "signed in with the Azure CLI's account (az)"));
  CHECK_FALSE(has(r.err, token));
  CHECK(test_support::read_file(dir / "args") ==
        "account\nget-access-token\n--output\njson\n--resource\n" + tenant.server().url() + "\n");
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
}

TEST_CASE("a missing, signed-out or too old az is exit 2 and one line naming the fix") {
  test_support::temp_dir dir, empty;
  std::vector<std::string> const args{
      "scan", "--db", (dir / "a.db").string(), "--credential", "azure-cli", "--graph-endpoint", "http://127.0.0.1:9"};
  auto missing = run_entra_audit(args, {path_with(false, empty)});
  CHECK(missing.exit_code == 2);
  CHECK(has(missing.err, "Azure CLI not found: 'az' is not on PATH"));
  CHECK(count_lines(missing.err) == 1);

  auto signed_out = run_entra_audit(args, {path_with(true, empty), "FAKE_AZ_MODE=not-logged-in"});
  CHECK(signed_out.exit_code == 2);
  CHECK(has(signed_out.err, "the Azure CLI is not signed in: run `az login`"));
  CHECK(count_lines(signed_out.err) == 1);

  auto old = run_entra_audit(args, {path_with(true, empty), "FAKE_AZ_MODE=too-old"});
  CHECK(old.exit_code == 2);
  CHECK(has(old.err, "too old"));
  CHECK(count_lines(old.err) == 1);
}

TEST_CASE("auto with the test switch and no override skips the managed identity without connecting") {
  test_support::temp_dir dir, empty;
  auto const started = std::chrono::steady_clock::now();
  // No Azure variable, no override, no az: every run of the binary in a test has ENTRA_AUDIT_TEST_NO_IMDS=1.
  auto r =
      run_entra_audit({"scan", "--db", (dir / "a.db").string(), "--credential", "auto"}, {path_with(false, empty)});
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "managed identity: not contacting http://169.254.169.254 because ENTRA_AUDIT_TEST_NO_IMDS is set"));
  CHECK(has(r.err, "no credential signed in (--credential auto)"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  // The same without --credential: auto is the default when no application credential is set.
  auto implied = run_entra_audit({"scan", "--db", (dir / "b.db").string()}, {path_with(false, empty)});
  CHECK(implied.exit_code == 2);
  CHECK(has(implied.err, "not contacting http://169.254.169.254"));
}

TEST_CASE("check names the credential that signed in") {
  e2e::emulated_tenant tenant(with_identities());
  auto const& id = tenant.server().identity();
  test_support::temp_dir empty;
  std::vector<std::string> args{"check", "--credential", "managed-identity"};
  auto const endpoint = tenant.endpoint_args();
  args.insert(args.end(), endpoint.begin(), endpoint.end());
  auto r = run_entra_audit(args, {"AZURE_POD_IDENTITY_AUTHORITY_HOST=" + id.imds_url, path_with(false, empty)});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "signed in with managed identity (IMDS at " + id.imds_url + ", system-assigned) as app " +
                       id.system_client_id + " of tenant " + tenant.server().tenant_id()));
}
