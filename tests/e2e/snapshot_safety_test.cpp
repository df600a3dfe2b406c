// A scan that fails never replaces the last complete snapshot; a clean tenant gives no findings.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <string>

using test_support::run_entra_audit;

TEST_CASE("a body that stays malformed ends the scan with exit 1 naming the URL and request-id, keeping the last snapshot") {
  graphsim::sim_options o;
  o.users = 300;
  // The first scan makes 4 Graph requests; from the 7th on, every body is broken JSON.
  o.fault_schedule = "7-:malformed";
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto first = run_entra_audit(tenant.scan_args(db), tenant.env());
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  auto const before = run_entra_audit({"report", "--db", db});
  REQUIRE(before.exit_code == 0);

  auto second = run_entra_audit(tenant.scan_args(db), tenant.env());
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("/v1.0/") != std::string::npos);
  CHECK(second.err.find("request-id") != std::string::npos);

  auto const after = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(after.exit_code == 0);
  CHECK(after.out.find("\"scan_id\":1") != std::string::npos);
  CHECK(run_entra_audit({"report", "--db", db}).out == before.out);
}

TEST_CASE("a tenant without findings passes --fail-on-findings and reports a header-only CSV") {
  graphsim::sim_options o;
  o.users = 500;
  o.profile = "clean";
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--fail-on-findings"}), tenant.env());
  INFO(scan.err);
  CHECK(scan.exit_code == 0);
  auto report = run_entra_audit({"report", "--db", db});
  CHECK(report.out == std::string(e2e::findings_header) + "\r\n");
  CHECK(tenant.truth().empty());
}
