// Nightly history kept as versions (docs/schema.md "Versions"): each night of a churning emulated tenant, scanned
// into one long-lived database, holds row for row what a full scan of that night into a new database holds.
#include "e2e/emulated_tenant.hpp"
#include "e2e/sql_probe.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

// Every row a snapshot holds in one of the views, one line each, sorted (ids and row numbers left out: the two
// databases number their rows differently).
std::string held(const std::string& db, std::int64_t scan, const std::string& view, const std::string& columns) {
  return e2e::query_text(db, "SELECT group_concat(r, char(10)) FROM (SELECT " + columns + " AS r FROM " + view +
                                 " WHERE scan_id = " + std::to_string(scan) + " ORDER BY r)");
}

struct snapshot_rows {
  std::string users, licenses, states, findings, skus, plans, subscription_ids, subscriptions;
  friend bool operator==(const snapshot_rows&, const snapshot_rows&) = default;
};

snapshot_rows rows_of(const std::string& db, std::int64_t scan) {
  return {held(db, scan, "users",
               "id||'|'||user_principal_name||'|'||display_name||'|'||mail||'|'||user_type||'|'||"
               "coalesce(account_enabled,'-')||'|'||usage_location||'|'||coalesce(on_premises_sync_enabled,'-')||'|'||"
               "department||'|'||created_date_time||'|'||creation_type"),
          held(db, scan, "user_licenses", "user_id||'|'||sku_id||'|'||disabled_plans"),
          held(db, scan, "license_states",
               "user_id||'|'||position||'|'||sku_id||'|'||coalesce(assigned_by_group,'-')||'|'||state||'|'||error||"
               "'|'||last_updated_date_time||'|'||disabled_plans"),
          held(db, scan, "findings",
               "user_id||'|'||sku_id||'|'||origin||'|'||confidence||'|'||evidence||'|'||group_ids||'|'||owner_upns||"
               "'|'||coalesce(is_trial,'-')||'|'||idp_outcome||'|'||recommended_action"),
          held(db, scan, "skus",
               "id||'|'||sku_id||'|'||sku_part_number||'|'||account_id||'|'||account_name||'|'||applies_to||'|'||"
               "capability_status||'|'||consumed_units||'|'||prepaid_enabled||'|'||prepaid_suspended||'|'||"
               "prepaid_warning||'|'||prepaid_locked_out"),
          held(db, scan, "sku_service_plans",
               "sku_key||'|'||position||'|'||sku_id||'|'||service_plan_id||'|'||service_plan_name||'|'||"
               "provisioning_status||'|'||applies_to"),
          held(db, scan, "sku_subscription_ids", "sku_key||'|'||position||'|'||sku_id||'|'||subscription_id"),
          held(db, scan, "subscriptions",
               "id||'|'||commerce_subscription_id||'|'||sku_id||'|'||sku_part_number||'|'||status||'|'||"
               "coalesce(is_trial,'-')||'|'||coalesce(total_licenses,'-')||'|'||created_date_time||'|'||"
               "next_lifecycle_date_time||'|'||coalesce(owner_id,'-')||'|'||coalesce(owner_tenant_id,'-')||'|'||"
               "coalesce(owner_type,'-')")};
}

std::string report_csv(const std::string& db, std::int64_t scan) {
  auto r = run_entra_audit({"report", "--db", db, "--scan-id", std::to_string(scan), "--format", "csv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("e2e: five churning nights in one database hold row for row what a full scan of each night holds") {
  e2e::emulated_tenant tenant(e2e::churning_tenant(500, 9, 0.05));
  test_support::temp_dir dir;
  std::string const history = (dir / "history.db").string();
  std::vector<std::int64_t> nights;
  std::vector<std::string> csvs;
  for (int night = 0; night < 5; ++night) {
    CAPTURE(night);
    if (night > 0) tenant.advance();
    auto scan = run_entra_audit(tenant.scan_args(history, {"--keep", "30", "--idp-managed-skus", "ENTERPRISEPACK"}),
                                tenant.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    std::string const fresh = (dir / ("night" + std::to_string(night) + ".db")).string();
    auto full = run_entra_audit(tenant.scan_args(fresh, {"--idp-managed-skus", "ENTERPRISEPACK"}), tenant.env());
    INFO(full.err);
    REQUIRE(full.exit_code == 0);

    nights.push_back(e2e::query_int(history, "SELECT max(scan_id) FROM latest_scans"));
    auto const kept = rows_of(history, nights.back());
    auto const whole = rows_of(fresh, e2e::query_int(fresh, "SELECT max(scan_id) FROM latest_scans"));
    CHECK_FALSE(kept.users.empty());
    CHECK_FALSE(kept.findings.empty());
    CHECK(kept.users == whole.users);
    CHECK(kept.licenses == whole.licenses);
    CHECK(kept.states == whole.states);
    CHECK(kept.findings == whole.findings);
    CHECK_FALSE(kept.plans.empty());
    CHECK(kept.skus == whole.skus);
    CHECK(kept.plans == whole.plans);
    CHECK(kept.subscription_ids == whole.subscription_ids);
    CHECK(kept.subscriptions == whole.subscriptions);
    csvs.push_back(report_csv(history, nights.back()));
    CHECK(csvs.back() == report_csv(fresh, 1));
    // Earlier nights still read as they did when they were the newest.
    for (std::size_t earlier = 0; earlier + 1 < nights.size(); ++earlier)
      CHECK_MESSAGE(report_csv(history, nights[earlier]) == csvs[earlier], "night ", earlier);
  }
  // A night with churn stores a small part of the tenant again, not all of it.
  auto const users_per_night = e2e::query_int(history, "SELECT count(*) FROM latest_users");
  auto const versions = e2e::query_int(history, "SELECT count(*) FROM user_versions");
  CHECK(versions < users_per_night * 2);
  // And the SKUs' service plans, which did not change, are stored once.
  auto const plans_per_night = e2e::query_int(
      history, "SELECT count(*) FROM sku_service_plans WHERE scan_id = (SELECT scan_id FROM latest_scans)");
  CHECK(e2e::query_int(history, "SELECT count(*) FROM sku_plan_list_items") < plans_per_night * 2);

  // The sixth night keeps two: the fifth and itself, each read as before; the others are gone with their versions.
  tenant.advance();
  auto scan =
      run_entra_audit(tenant.scan_args(history, {"--keep", "2", "--idp-managed-skus", "ENTERPRISEPACK"}), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(e2e::query_int(history, "SELECT count(*) FROM scans") == 2);
  CHECK(report_csv(history, nights[4]) == csvs[4]);
  auto gone = run_entra_audit({"report", "--db", history, "--scan-id", std::to_string(nights[0]), "--format", "csv"});
  CHECK(gone.exit_code != 0);
  CHECK(e2e::query_int(history, "SELECT count(*) FROM user_versions") < versions);
  CHECK(e2e::query_int(history,
                       "SELECT count(*) FROM user_versions AS v WHERE NOT EXISTS (SELECT 1 FROM scans AS s WHERE "
                       "s.scan_id >= v.first_scan AND (v.until_scan IS NULL OR s.scan_id < v.until_scan))") == 0);
  CHECK(e2e::query_int(history,
                       "SELECT (SELECT count(*) FROM sku_versions WHERE version_id NOT IN (SELECT version_id FROM "
                       "snapshot_skus)) + (SELECT count(*) FROM subscription_versions WHERE version_id NOT IN (SELECT "
                       "version_id FROM snapshot_subscriptions))") == 0);
}
