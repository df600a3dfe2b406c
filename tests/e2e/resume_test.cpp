// A scan killed with SIGKILL halfway is finished by --resume, and the result equals an uninterrupted scan.
#include "e2e/emulated_tenant.hpp"
#include "e2e/sql_probe.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <signal.h>
#include <string>
#include <thread>

using test_support::run_entra_audit;

using e2e::query_int;

TEST_CASE("a scan killed halfway through 200,000 users is finished by --resume and equals an uninterrupted scan") {
  graphsim::sim_options o;
  o.users = 200'000;
  o.seed = 5;
  o.latency_min_ms = 20;  // slow enough to kill it midway
  o.latency_max_ms = 40;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "killed.db").string();

  {
    test_support::child_process scan(tenant.scan_args(db), tenant.env(), dir / "out.txt", dir / "err.txt");
    // Wait until some pages are committed, then kill without warning.
    auto const give_up = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (scan.running() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (std::filesystem::exists(db) && query_int(db, "SELECT count(*) FROM users") >= 50'000) break;
    }
    REQUIRE(scan.running());
    scan.kill(SIGKILL);
    CHECK(scan.wait() == -SIGKILL);
  }
  long long const stored_before = query_int(db, "SELECT count(*) FROM users");
  CHECK(stored_before > 0);
  CHECK(stored_before < 200'000);
  CHECK(query_int(db, "SELECT count(*) FROM scans WHERE status = 'complete'") == 0);

  auto resumed = run_entra_audit(tenant.scan_args(db, {"--resume"}), tenant.env());
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(query_int(db, "SELECT count(*) FROM scans WHERE status = 'complete'") == 1);
  CHECK(query_int(db, "SELECT count(*) FROM latest_users") == 200'000);
  CHECK(query_int(db, "SELECT count(DISTINCT id) FROM latest_users") == 200'000);

  std::string const clean_db = (dir / "clean.db").string();
  REQUIRE(run_entra_audit(tenant.scan_args(clean_db), tenant.env()).exit_code == 0);
  auto const resumed_report = run_entra_audit({"report", "--db", db});
  auto const clean_report = run_entra_audit({"report", "--db", clean_db});
  REQUIRE(resumed_report.exit_code == 0);
  CHECK(resumed_report.out == clean_report.out);
  CHECK(query_int(db, "SELECT count(*) FROM latest_user_licenses") ==
        query_int(clean_db, "SELECT count(*) FROM latest_user_licenses"));
  // The resumed run met only part of the pages: the licensing groups it keeps are read from all stored states.
  std::string const groups = "SELECT group_concat(id, ';') FROM (SELECT id FROM groups WHERE scan_id = 1 ORDER BY id)";
  CHECK_FALSE(e2e::query_text(clean_db, groups).empty());
  CHECK(e2e::query_text(db, groups) == e2e::query_text(clean_db, groups));
}
