// Wrong configuration and bad input give one clear line and the documented exit code.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using test_support::run_entra_audit;

namespace {

int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("a scan without a tenant id exits 2 and names the variable and flag to set") {
  test_support::temp_dir dir;
  auto r = run_entra_audit({"scan", "--db", (dir / "a.db").string()},
                           {"AZURE_CLIENT_ID=11111111-1111-1111-1111-111111111111", "AZURE_CLIENT_SECRET=x"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("AZURE_TENANT_ID") != std::string::npos);
  CHECK(r.err.find("--tenant-id") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("a wrong client secret exits 1 with the AADSTS line and without the secret") {
  graphsim::sim_options o;
  o.users = 10;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const wrong = "Wr0ng-Secret-Value-xyz";
  auto env = tenant.env();
  env.back() = "AZURE_CLIENT_SECRET=" + wrong;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), env);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("AADSTS7000215") != std::string::npos);
  CHECK(r.err.find(wrong) == std::string::npos);
  CHECK(r.out.find(wrong) == std::string::npos);
}

TEST_CASE("an unknown CA is refused with a clear certificate error") {
  graphsim::sim_options o;
  o.users = 10;
  o.tls = true;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto args = tenant.scan_args((dir / "a.db").string());
  auto at = std::find(args.begin(), args.end(), "--ca-file");
  REQUIRE(at != args.end());
  args.erase(at, at + 2);
  auto r = run_entra_audit(args, tenant.env());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("certificate") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("a secret on the command line is refused") {
  auto r = run_entra_audit({"scan", "--client-secret", "abc"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("report on a database without snapshots exits 2 and says to scan first") {
  test_support::temp_dir dir;
  auto r = run_entra_audit({"report", "--db", (dir / "none.db").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("scan") != std::string::npos);
}

TEST_CASE("report on a snapshot id that does not exist exits 2") {
  graphsim::sim_options o;
  o.users = 10;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  REQUIRE(run_entra_audit(tenant.scan_args(db), tenant.env()).exit_code == 0);
  auto r = run_entra_audit({"report", "--db", db, "--scan-id", "999"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("999") != std::string::npos);
}

TEST_CASE("an unwritable database path gives a one-line error naming the path") {
  graphsim::sim_options o;
  o.users = 10;
  e2e::emulated_tenant tenant(o);
  auto r = run_entra_audit(tenant.scan_args("/proc/entra-audit-cannot-write/a.db"), tenant.env());
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("/proc/entra-audit-cannot-write") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}
