// The client secret never reaches output, logs, the database or the reports.
#include "e2e/credential_fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

using test_support::run_entra_audit;

TEST_CASE("no output, log, database file or report contains the client secret") {
  graphsim::sim_options o;
  o.users = 200;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto args = tenant.scan_args(db, {"--verbose", "--log-format", "json"});
  auto progress = std::find(args.begin(), args.end(), "never");
  REQUIRE(progress != args.end());
  *progress = "always";  // the progress line too
  auto scan = run_entra_audit(args, tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  std::string everything = scan.out + scan.err;
  for (char const* format : {"csv", "json", "html", "md"}) {
    auto report = run_entra_audit({"report", "--db", db, "--format", format});
    REQUIRE(report.exit_code == 0);
    everything += report.out + report.err;
  }
  for (auto const& entry : std::filesystem::directory_iterator(dir.path()))
    everything += test_support::read_file(entry.path());
  REQUIRE(!tenant.secret().empty());
  CHECK(everything.find(tenant.secret()) == std::string::npos);
  CHECK(everything.find("Bearer ") == std::string::npos);
}

namespace {

// Everything a run left: its output, and every file in dir (the database among them).
std::string everything_in(test_support::run_result const& r, std::filesystem::path const& dir) {
  std::string all = r.out + r.err;
  for (auto const& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) all += test_support::read_file(entry.path());
  return all;
}

// The refresh token a cache file holds.
std::string cached_refresh_token(std::filesystem::path const& cache_dir) {
  for (auto const& entry : std::filesystem::directory_iterator(cache_dir)) {
    std::string const text = test_support::read_file(entry.path());
    constexpr std::string_view key = "\"refresh_token\":\"";
    if (auto at = text.find(key); at != std::string::npos) {
      auto const start = at + key.size();
      return text.substr(start, text.find('"', start) - start);
    }
  }
  return {};
}

}  // namespace

TEST_CASE("no output, log or database contains a refresh token or an access token of a device-code sign-in") {
  graphsim::sim_options o;
  o.users = 30;
  o.device_code_interval_s = 1;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir, cache;
  std::vector<std::string> const env{"ENTRA_AUDIT_TOKEN_CACHE=" + cache.path().string()};
  auto args = tenant.scan_args((dir / "a.db").string(), {"--credential", "device-code", "-v", "--log-format", "json"});
  REQUIRE(e2e::device_sign_in(tenant, args, env, dir.path(), "approve") == 0);
  std::string const first = cached_refresh_token(cache.path());
  REQUIRE(first.size() > 20);
  std::string all = test_support::read_file(dir / "out") + test_support::read_file(dir / "err") +
                    test_support::read_file(dir / "a.db");
  auto again = run_entra_audit(tenant.scan_args((dir / "b.db").string(), {"-v", "--credential", "device-code"}), env);
  REQUIRE(again.exit_code == 0);
  std::string const rotated = cached_refresh_token(cache.path());
  CHECK(rotated != first);
  all += everything_in(again, dir.path());
  CHECK(all.find(first) == std::string::npos);
  CHECK(all.find(rotated) == std::string::npos);
  CHECK(all.find("Bearer ") == std::string::npos);
}

TEST_CASE("no output, log or database contains the PFX certificate's password") {
  test_support::temp_dir pki, dir;
  e2e::make_pfx_pki(pki.path());
  graphsim::sim_options o;
  o.users = 20;
  o.client_certs = {(pki / "app.crt").string()};
  e2e::emulated_tenant tenant(o);
  std::vector<std::string> env{"AZURE_TENANT_ID=" + tenant.server().tenant_id(),
                               "AZURE_CLIENT_ID=" + tenant.server().client_id(),
                               "AZURE_CLIENT_CERTIFICATE_PATH=" + (pki / "app-pw.pfx").string(),
                               std::string("AZURE_CLIENT_CERTIFICATE_PASSWORD=") + e2e::pfx_password};
  auto ok = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"-v", "--log-format", "json"}), env);
  REQUIRE(ok.exit_code == 0);
  CHECK(everything_in(ok, dir.path()).find(e2e::pfx_password) == std::string::npos);
  // A wrong password is not echoed either.
  env.back() = "AZURE_CLIENT_CERTIFICATE_PASSWORD=wrong-Pass word-0815";
  auto wrong = run_entra_audit(tenant.scan_args((dir / "b.db").string(), {"-v"}), env);
  CHECK(wrong.exit_code == 2);
  CHECK(everything_in(wrong, dir.path()).find("wrong-Pass word-0815") == std::string::npos);
}
