// The real binary scans the emulated tenant and reports exactly the emulator's ground truth.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <string>

using test_support::run_entra_audit;

namespace {

void check_findings_equal_truth(graphsim::sim_options options) {
  e2e::emulated_tenant tenant(options);
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db), tenant.env());
  INFO("stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);

  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  INFO("report stderr: " << report.err);
  REQUIRE(report.exit_code == 0);
  auto const found = e2e::finding_keys(report.out);
  auto const truth = tenant.truth();
  CHECK(found.size() == truth.size());
  CHECK(found == truth);
}

}  // namespace

TEST_CASE("findings of a 1,000-user tenant scanned over TLS equal the ground truth row for row") {
  graphsim::sim_options o;
  o.users = 1000;
  o.seed = 1;
  o.tls = true;
  check_findings_equal_truth(o);
}

TEST_CASE("findings equal the ground truth for several seeds and sizes over loopback http") {
  for (auto [users, seed] : {std::pair<std::uint64_t, std::uint64_t>{10, 7}, {2500, 3}, {12000, 11}}) {
    CAPTURE(users);
    CAPTURE(seed);
    graphsim::sim_options o;
    o.users = users;
    o.seed = seed;
    check_findings_equal_truth(o);
  }
}

TEST_CASE("an empty tenant scans cleanly and reports a header-only CSV") {
  graphsim::sim_options o;
  o.users = 0;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--fail-on-findings"}), tenant.env());
  INFO(scan.err);
  CHECK(scan.exit_code == 0);
  auto report = run_entra_audit({"report", "--db", db});
  REQUIRE(report.exit_code == 0);
  CHECK(report.out == std::string(e2e::findings_header) + "\r\n");
}

TEST_CASE("scan --fail-on-findings exits 3 when findings exist") {
  graphsim::sim_options o;
  o.users = 50;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto scan = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--fail-on-findings"}), tenant.env());
  INFO(scan.err);
  CHECK(scan.exit_code == 3);
}

TEST_CASE("a derived scan of N users with --shards off stays within ceil(N/999) + 8 Graph requests") {
  graphsim::sim_options o;
  o.users = 5000;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto scan = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--shards", "off"}), tenant.env());
  REQUIRE(scan.exit_code == 0);
  // The emulator's own count, not the scanner's.
  long const requests = e2e::graph_requests(tenant.stats_json());
  CHECK(requests <= (5000 + 998) / 999 + 8);
  CHECK(requests >= (5000 + 998) / 999);
}

TEST_CASE("a sharded scan adds at most two Graph requests per shard and finds what the single chain finds") {
  graphsim::sim_options o;
  o.users = 12000;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto scan = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--shards", "8"}), tenant.env());
  REQUIRE(scan.exit_code == 0);
  long const requests = e2e::graph_requests(tenant.stats_json());
  long const shards = 43;
  CHECK(requests <= (12000 + 998) / 999 + 8 + 2 * shards);
  CHECK(requests > (12000 + 998) / 999 + 8);  // it did shard
  auto report = run_entra_audit({"report", "--db", (dir / "a.db").string(), "--format", "csv"});
  REQUIRE(report.exit_code == 0);
  CHECK(e2e::finding_keys(report.out) == tenant.truth());
}

TEST_CASE("the findings a scan stores as it crawls equal, column for column, those report --reaudit stores") {
  graphsim::sim_options o;
  o.users = 12000;
  o.seed = 4;
  e2e::emulated_tenant tenant(o);
  for (std::string const shards : {"auto", "off"}) {
    CAPTURE(shards);
    test_support::temp_dir dir;
    std::string const db = (dir / "audit.db").string();
    auto scan = run_entra_audit(tenant.scan_args(db, {"--shards", shards, "--verbose"}), tenant.env());
    INFO("stderr: " << scan.err);
    REQUIRE(scan.exit_code == 0);
    CHECK(scan.err.find("as it was crawled") != std::string::npos);  // the streamed audit served this scan
    auto streamed = run_entra_audit({"report", "--db", db, "--format", "csv"});
    auto whole = run_entra_audit({"report", "--db", db, "--format", "csv", "--reaudit"});
    REQUIRE(streamed.exit_code == 0);
    REQUIRE(whole.exit_code == 0);
    CHECK(streamed.out.size() > 1000);
    CHECK(streamed.out == whole.out);
  }
}
