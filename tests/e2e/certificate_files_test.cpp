// Certificates as PKCS#12 / PFX files (with and without a password) and the x5c chain a subject name + issuer app
// needs, made with the openssl CLI at test time and sent to the emulator on 127.0.0.1.
#include "e2e/credential_fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

using test_support::run_entra_audit;

namespace {

bool has(std::string const& text, std::string const& what) { return text.find(what) != std::string::npos; }
int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

graphsim::sim_options accepting(std::filesystem::path const& dir, bool require_x5c = false) {
  graphsim::sim_options o;
  o.users = 20;
  o.client_certs = {(dir / "app.crt").string()};
  o.require_x5c = require_x5c;
  return o;
}

std::vector<std::string> app_env(e2e::emulated_tenant const& tenant, std::string const& path) {
  return {"AZURE_TENANT_ID=" + tenant.server().tenant_id(), "AZURE_CLIENT_ID=" + tenant.server().client_id(),
          "AZURE_CLIENT_CERTIFICATE_PATH=" + path};
}

}  // namespace

TEST_CASE("a PFX certificate signs in with its password, without one when it has none, and a wrong one is one line") {
  test_support::temp_dir pki, dir;
  e2e::make_pfx_pki(pki.path());
  e2e::emulated_tenant tenant(accepting(pki.path()));

  auto env = app_env(tenant, (pki / "app-pw.pfx").string());
  env.push_back(std::string("AZURE_CLIENT_CERTIFICATE_PASSWORD=") + e2e::pfx_password);
  auto with_password = run_entra_audit(tenant.scan_args((dir / "a.db").string()), env);
  INFO(with_password.err);
  CHECK(with_password.exit_code == 0);

  auto without =
      run_entra_audit(tenant.scan_args((dir / "b.db").string()), app_env(tenant, (pki / "app-nopw.pfx").string()));
  CHECK(without.exit_code == 0);

  env.back() = "AZURE_CLIENT_CERTIFICATE_PASSWORD=not the password";
  auto wrong = run_entra_audit(tenant.scan_args((dir / "c.db").string()), env);
  CHECK(wrong.exit_code == 2);
  CHECK(has(wrong.err, "wrong password for the PKCS#12 / PFX file (AZURE_CLIENT_CERTIFICATE_PASSWORD)"));
  CHECK(count_lines(wrong.err) == 1);
  CHECK_FALSE(has(wrong.err, "not the password"));

  auto missing =
      run_entra_audit(tenant.scan_args((dir / "d.db").string()), app_env(tenant, (pki / "app-pw.pfx").string()));
  CHECK(missing.exit_code == 2);
  CHECK(has(missing.err, "is protected by a password: set AZURE_CLIENT_CERTIFICATE_PASSWORD"));
  CHECK(count_lines(missing.err) == 1);
}

TEST_CASE("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN=true sends x5c, which a subject name + issuer app requires") {
  test_support::temp_dir pki, dir;
  e2e::make_pfx_pki(pki.path());
  e2e::emulated_tenant tenant(accepting(pki.path(), true));
  auto env = app_env(tenant, (pki / "app-nopw.pfx").string());

  auto refused = run_entra_audit(tenant.scan_args((dir / "a.db").string()), env);
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "AADSTS700027"));
  CHECK(count_lines(refused.err) == 1);

  env.push_back("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN=true");
  auto sent = run_entra_audit(tenant.scan_args((dir / "b.db").string()), env);
  INFO(sent.err);
  CHECK(sent.exit_code == 0);

  // A PEM file's chain (the certificates after the app's own) is sent the same way.
  test_support::write_file(pki / "app-chain.pem", test_support::read_file(pki / "app.crt") +
                                                      test_support::read_file(pki / "app.key") +
                                                      test_support::read_file(pki / "ca.crt"));
  env[2] = "AZURE_CLIENT_CERTIFICATE_PATH=" + (pki / "app-chain.pem").string();
  auto pem = run_entra_audit(tenant.scan_args((dir / "c.db").string()), env);
  INFO(pem.err);
  CHECK(pem.exit_code == 0);
}
