#include "audit/run_audit.hpp"

#include "small_tenant.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>

using namespace audit_test;

namespace {

// A complete snapshot of the small tenant, stored in one page through storage::database as the scanner would.
std::int64_t store_tenant(storage::database& db) {
  auto const scan_id = begin_small_tenant(db);
  db.write_user_page(scan_id, page_of(small_tenant_users()), "", {}).value();
  db.finish_scan(scan_id, storage::scan_status::complete, {}).value();
  return scan_id;
}

// Findings keyed "upn sku_part_number-or-sku_id".
std::map<std::string, storage::finding_record> findings_of(storage::database& db, std::int64_t scan_id) {
  std::map<std::string, storage::finding_record> out;
  db.for_each_finding(scan_id, [&](const storage::finding_record& f) {
      out[f.user_principal_name + " " + (f.sku_part_number.empty() ? f.sku_id : f.sku_part_number)] = f;
    }).value();
  return out;
}

}  // namespace

TEST_CASE("run_audit classifies a stored snapshot and stores one finding per non-organization license") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  const auto scan_id = store_tenant(db);

  auto summary = audit::run_audit(db, scan_id, {});
  REQUIRE(summary.has_value());
  CHECK(summary->users == 6);
  CHECK(summary->licensed_users == 5);
  CHECK(summary->licenses == 7);
  CHECK(summary->findings == 5);
  CHECK(summary->users_with_findings == 4);
  CHECK(summary->findings_by_origin == std::map<std::string, std::int64_t>{{"group_inherited", 1},
                                                                           {"partner_managed", 1},
                                                                           {"self_service_purchase", 1},
                                                                           {"self_service_signup", 1},
                                                                           {"unattributed", 1}});
  CHECK(summary->users_call_refused_403 + summary->users_call_refused_400 + summary->users_call_may_be_refused == 0);

  auto findings = findings_of(db, scan_id);
  REQUIRE(findings.size() == 5);

  const auto& purchase = findings.at("bob@contoso.example POWER_BI_PRO");
  CHECK(purchase.tenant_id == home_tenant);
  CHECK(purchase.user_id == "00000000-0000-0000-0000-00000000000b");
  CHECK(purchase.display_name == "User 00000000-0000-0000-0000-00000000000b");
  CHECK(purchase.account_enabled == true);
  CHECK(purchase.user_type == "Member");
  CHECK(purchase.department == "Sales");
  CHECK(purchase.sku_id == pbi);
  CHECK(purchase.product_name == "Power BI Pro");
  CHECK(purchase.origin == "self_service_purchase");
  CHECK(purchase.confidence == "high");
  CHECK(purchase.evidence == "user_owned_subscription");
  CHECK(purchase.assignment == "direct");
  CHECK(purchase.subscription_ids == "s-pbi");
  CHECK(purchase.owner_ids == alice_id);
  CHECK(purchase.owner_upns == "alice@contoso.example");  // the purchaser, looked up in the same snapshot
  CHECK(purchase.is_trial == false);
  CHECK(purchase.idp_outcome.empty());
  CHECK(purchase.recommended_action.find("alice@contoso.example") != std::string::npos);

  const auto& group = findings.at("carol@contoso.example ENTERPRISEPACK");
  CHECK(group.origin == "group_inherited");
  CHECK(group.assignment == "group");
  CHECK(group.group_ids == group_id);

  CHECK(findings.at("carol@contoso.example PARTNER_SKU").owner_tenant_ids == partner_tenant);
  CHECK(findings.at("dave@contoso.example FLOW_FREE").evidence == "signup_sku;email_verified_user");

  const auto& unknown = findings.at(std::string("frank@contoso.example ") + orphan);
  CHECK(unknown.origin == "unattributed");
  CHECK(unknown.assignment == "unknown");
  CHECK(unknown.product_name.empty());
  CHECK_FALSE(unknown.is_trial.has_value());
}

TEST_CASE("run_audit with managed SKUs predicts each license's idp_outcome and counts refused calls") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  const auto scan_id = store_tenant(db);
  REQUIRE(audit::run_audit(db, scan_id, {}).has_value());

  audit::audit_options options;
  options.idp_managed_skus = {"enterprisepack"};
  auto summary = audit::run_audit(db, scan_id, options);
  REQUIRE(summary.has_value());
  CHECK(summary->findings == 5);                // re-running replaces the findings, it does not add to them
  CHECK(summary->users_call_refused_403 == 2);  // bob (purchase) and carol (partner; her group E3 is managed)
  CHECK(summary->users_call_refused_400 == 0);
  CHECK(summary->users_call_may_be_refused == 2);  // dave (sign-up) and frank (unattributed)

  auto findings = findings_of(db, scan_id);
  CHECK(findings.size() == 5);
  CHECK(findings.at("bob@contoso.example POWER_BI_PRO").idp_outcome == "removal_refused_403");
  CHECK(findings.at("carol@contoso.example ENTERPRISEPACK").idp_outcome == "unaffected");
  CHECK(findings.at("carol@contoso.example PARTNER_SKU").idp_outcome == "removal_refused_403");
  CHECK(findings.at("dave@contoso.example FLOW_FREE").idp_outcome == "removal_may_be_refused");
  CHECK(findings.at(std::string("frank@contoso.example ") + orphan).idp_outcome == "removal_may_be_refused");

  options.idp_managed_skus = {"POWER_BI_PRO"};
  summary = audit::run_audit(db, scan_id, options);
  REQUIRE(summary.has_value());
  CHECK(summary->users_call_refused_403 == 1);  // carol's partner SKU
  CHECK(summary->users_call_refused_400 == 0);  // carol is counted once, under 403
  CHECK(findings_of(db, scan_id).at("carol@contoso.example ENTERPRISEPACK").idp_outcome == "removal_refused_400");
}

TEST_CASE("run_audit applies a rules file and refuses unknown managed SKUs and unknown scans") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  const auto scan_id = store_tenant(db);

  test_support::write_file(dir / "rules.txt",
                           std::string("override ") + sku_a + " organization our own reseller account\n");
  audit::audit_options options;
  options.rules_path = (dir / "rules.txt").string();
  auto summary = audit::run_audit(db, scan_id, options);
  REQUIRE(summary.has_value());
  CHECK(summary->findings == 4);
  CHECK(findings_of(db, scan_id).count("carol@contoso.example PARTNER_SKU") == 0);

  options = {};
  options.idp_managed_skus = {"NOT_A_SKU"};
  auto bad = audit::run_audit(db, scan_id, options);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == base::exit_code::usage);
  CHECK(bad.error().message.find("NOT_A_SKU") != std::string::npos);

  auto missing = audit::run_audit(db, scan_id + 100, {});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == base::exit_code::usage);
}

TEST_CASE("run_audit stores no finding when one cannot be stored, keeping the previous findings") {
  test_support::temp_dir dir;
  const auto path = dir / "audit.db";
  auto db = storage::database::open(path.string()).value();
  const auto scan_id = store_tenant(db);
  REQUIRE(audit::run_audit(db, scan_id, {}).has_value());

  // Another SQL user of the file refuses dave's row: bob's and carol's findings are stored before it, frank's
  // would come after.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  const int rc = sqlite3_exec(raw,
                              "CREATE TRIGGER refuse_dave BEFORE INSERT ON pending_findings "
                              "WHEN NEW.user_principal_name = 'dave@contoso.example' "
                              "BEGIN SELECT RAISE(ABORT, 'dave refused'); END",
                              nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);

  audit::audit_options options;
  options.idp_managed_skus = {"enterprisepack"};
  auto failed = audit::run_audit(db, scan_id, options);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().message.find("dave refused") != std::string::npos);

  auto findings = findings_of(db, scan_id);
  CHECK(findings.size() == 5);
  for (const auto& [key, f] : findings) CHECK_MESSAGE(f.idp_outcome.empty(), key);  // all from the first run
}

TEST_CASE("each finding's action names its own unknown SKU and its own groups, though actions are made once per SKU") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const scan_id = begin_small_tenant(db);
  constexpr const char* orphan2 = "abcdef00-0000-0000-0000-00000000000a";  // a second SKU in no list
  constexpr const char* group2 = "eeeeeeee-0000-0000-0000-000000000002";
  auto gina = person("00000000-0000-0000-0000-000000000011", "gina@contoso.example", {});
  gina.licenses.push_back({gina.user.id, orphan, {}});
  gina.licenses.push_back({gina.user.id, orphan2, {}});
  gina.licenses.push_back({gina.user.id, e3, {}});
  add_state(gina, e3, group_id);
  auto hugo = person("00000000-0000-0000-0000-000000000012", "hugo@contoso.example", {});
  hugo.licenses.push_back({hugo.user.id, e3, {}});
  add_state(hugo, e3, group2);
  db.write_user_page(scan_id, page_of({gina, hugo}), "", {}).value();
  db.finish_scan(scan_id, storage::scan_status::complete, {}).value();
  REQUIRE(audit::run_audit(db, scan_id, {}).has_value());

  auto const findings = findings_of(db, scan_id);
  REQUIRE(findings.size() == 4);
  auto const& first = findings.at(std::string("gina@contoso.example ") + orphan);
  auto const& second = findings.at(std::string("gina@contoso.example ") + orphan2);
  CHECK(first.recommended_action.find(orphan) != std::string::npos);
  CHECK(second.recommended_action.find(orphan2) != std::string::npos);
  CHECK(second.recommended_action.find(orphan) == std::string::npos);
  CHECK(findings.at("gina@contoso.example ENTERPRISEPACK").recommended_action.find(group_id) != std::string::npos);
  auto const& hugos = findings.at("hugo@contoso.example ENTERPRISEPACK").recommended_action;
  CHECK(hugos.find(group2) != std::string::npos);
  CHECK(hugos.find(group_id) == std::string::npos);
}
