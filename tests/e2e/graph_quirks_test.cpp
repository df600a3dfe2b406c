// The real binary against Graph as documented, as real tenants differ from it (the emulator's quirks,
// docs/graphsim.md) and as hostile servers misbehave: the scan completes with findings equal to the ground truth,
// or ends with exit 1, a message naming the cause, and the previous complete snapshot still the latest.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>

using test_support::run_entra_audit;

namespace {

graphsim::sim_options tenant_of(std::uint64_t users, std::uint64_t seed = 3) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = seed;
  return o;
}

// Scans the tenant into a fresh database and requires exit 0 and findings equal to the emulator's truth.
void check_scan_equals_truth(const graphsim::sim_options& o, const std::vector<std::string>& extra = {}) {
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, extra), tenant.env());
  INFO("stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(report.exit_code == 0);
  CHECK(e2e::finding_keys(report.out) == tenant.truth());
}

// A scan of o that must fail after a good one on the same database: exit 1, a message naming why, and the
// report still that of the good snapshot.
void check_fails_keeping_last_snapshot(graphsim::sim_options bad, std::string_view why,
                                       const std::vector<std::string>& extra = {}) {
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  graphsim::sim_options good = bad;
  good.quirks = {};
  std::string before;
  {
    e2e::emulated_tenant tenant(good);
    auto first = run_entra_audit(tenant.scan_args(db, extra), tenant.env());
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    before = run_entra_audit({"report", "--db", db}).out;
  }
  e2e::emulated_tenant tenant(bad);
  auto second = run_entra_audit(tenant.scan_args(db, extra), tenant.env());
  INFO(second.err);
  CHECK(second.exit_code == 1);
  CHECK(second.err.find(why) != std::string::npos);
  CHECK(second.err.size() < 2000);  // a line, not a dump
  CHECK(run_entra_audit({"report", "--db", db}).out == before);
}

}  // namespace

TEST_CASE("a 300-user tenant that never counts scans with --shards auto and reports the truth") {
  auto o = tenant_of(300);
  o.quirks.no_count = true;
  check_scan_equals_truth(o);
}

TEST_CASE("a tenant that never counts is listed in one chain at once, exit 0") {
  auto o = tenant_of(6'000);
  o.quirks.no_count = true;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto scan = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--shards", "auto"}), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.err.find("no @odata.count") != std::string::npos);
  // The count probe, the organization, the SKUs, the subscriptions and one chain of six pages.
  CHECK(e2e::graph_requests(tenant.stats_json()) <= 4 + (6'000 + 998) / 999 + 8);
}

TEST_CASE("100,000 skewed names without range filters: every user once, no fallback to one chain, requests bounded") {
  auto o = tenant_of(100'000, 7);
  o.quirks.skewed_upns = true;
  o.quirks.no_range_filter = true;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--log-format", "json", "--verbose"}), tenant.env());
  INFO(scan.err.substr(0, 4000));
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.err.find("in one chain") == std::string::npos);
  CHECK(scan.err.find("listing them again") == std::string::npos);
  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(report.exit_code == 0);
  CHECK(e2e::finding_keys(report.out) == tenant.truth());
  // Every user once: the snapshot's user count is the tenant's.
  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find("\"users\":100000") != std::string::npos);
  // ceil(N/999) + 8 + 2 per shard: 44 first-character shards and 45 more for each split.
  long const requests = e2e::graph_requests(tenant.stats_json());
  std::size_t splits = 0;  // each split logs one debug line
  for (std::size_t at = 0; (at = scan.err.find("as longer prefixes", at)) != std::string::npos; ++at) ++splits;
  CHECK(splits > 0);
  MESSAGE("requests: " << requests << ", shards split: " << splits);
  CHECK(requests <= (100'000 + 998) / 999 + 8 + 2 * static_cast<long>(44 + 45 * splits));
}

TEST_CASE("an expired page token mid-listing restarts that chain and the findings equal the truth") {
  auto o = tenant_of(12'000);
  o.quirks.expired_page_token_after = 3;
  check_scan_equals_truth(o, {"--shards", "8"});
}

TEST_CASE("a directory count that lags still gives the truth") {
  auto o = tenant_of(9'000);
  o.count_lag = 7;
  check_scan_equals_truth(o);
}

TEST_CASE("fetch mode without the licenseDetails permission falls back to derived, exit 0, truth") {
  auto o = tenant_of(800);
  o.quirks.license_details_forbidden = true;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--license-details", "fetch"}), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.err.find("LicenseAssignment.Read.All") != std::string::npos);
  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  CHECK(e2e::finding_keys(report.out) == tenant.truth());
}

TEST_CASE("users deleted during the scan are skipped in fetch mode and the scan completes") {
  auto o = tenant_of(2'000);
  o.quirks.users_deleted_during_scan = 40;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto scan = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--license-details", "fetch"}), tenant.env());
  INFO(scan.err);
  CHECK(scan.exit_code == 0);
}

TEST_CASE("a nextLink loop ends the scan with exit 1 naming the loop, and the previous snapshot stays the latest") {
  auto o = tenant_of(30'000);  // shards of several pages under 4 chains, so that a shard's chain meets the loop
  o.quirks.nextlink_loop = 2;
  check_fails_keeping_last_snapshot(o, "pages in a circle", {"--shards", "off"});
  check_fails_keeping_last_snapshot(o, "pages in a circle", {"--shards", "4"});
}

TEST_CASE("a user listed on two pages is stored once: one set of findings, and the summary counts them once") {
  auto o = tenant_of(3'000);
  o.quirks.duplicate_users = 2;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--shards", "off"}), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  auto csv = run_entra_audit({"report", "--db", db, "--format", "csv"});
  auto const keys = e2e::finding_keys(csv.out);
  CHECK(keys == tenant.truth());
  // finding_keys is a set: the summary shows whether a (user, SKU) was written twice.
  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("summary"));
  CHECK(doc["summary"]["findings"].GetInt64() == static_cast<std::int64_t>(keys.size()));
}
