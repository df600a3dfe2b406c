#include "audit/streamed_audit.hpp"

#include "small_tenant.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

using namespace audit_test;

namespace {

// Every column of every finding, keyed "upn sku", so that two audits compare whole.
std::map<std::string, std::string> stored_findings(storage::database& db, std::int64_t scan_id) {
  std::map<std::string, std::string> out;
  db.for_each_finding(scan_id, [&](const storage::finding_record& f) {
      out[f.user_principal_name + " " + f.sku_id] =
          fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", f.tenant_id, f.user_id,
                      f.user_principal_name, f.display_name, f.account_enabled ? int(*f.account_enabled) : -1,
                      f.user_type, f.department, f.sku_id, f.sku_part_number, f.product_name, f.origin, f.confidence,
                      f.evidence, f.assignment, f.group_ids, f.subscription_ids, f.owner_ids, f.owner_upns,
                      f.owner_tenant_ids, f.is_trial ? int(*f.is_trial) : -1, f.idp_outcome, f.recommended_action);
    }).value();
  return out;
}

// Streams the small tenant's users through a streamed audit in pages of the given users (indexes into
// small_tenant_users()), storing each page with its findings as the scanner does; then the findings it left
// must be exactly what run_audit stores for the same snapshot, and so must the counts.
// scatter moves each page's first two license rows to its end, so that a user's rows are apart (not as the
// parser lays them out).
// held_at_completion: the held findings go into the snapshot's completing transaction, as the scan stores them;
// otherwise finish() stores them after.
// owners_ahead: the owners' principal names the scan read before the listing.
struct streamed_run {
  bool rewrote = false;  // finish() rewrote stored findings
};

using owner_names = std::vector<std::pair<std::string, std::string>>;

streamed_run check_streamed_equals_whole(const std::vector<std::vector<std::size_t>>& pages, std::size_t held_limit,
                                         audit::audit_options options = {}, bool scatter = false,
                                         bool held_at_completion = true, const owner_names& owners_ahead = {}) {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const scan_id = begin_small_tenant(db);
  auto const all = small_tenant_users();

  audit::streamed_audit streamed(options, held_limit);
  REQUIRE(streamed.begin(db, scan_id));
  streamed.name_owners_ahead(owners_ahead);
  for (const auto& indexes : pages) {
    std::vector<storage::user_licenses> users;
    for (auto i : indexes) users.push_back(all[i]);
    auto page = page_of(users);
    if (scatter && page.licenses.size() > 2)
      std::rotate(page.licenses.begin(), page.licenses.begin() + 2, page.licenses.end());
    auto const findings = streamed.page(page);
    db.write_user_page(scan_id, page, "", {}, findings).value();
  }
  std::vector<storage::finding_record> held;
  if (held_at_completion) held = streamed.take_held();
  streamed_run run;
  db.finish_scan(scan_id, storage::scan_status::complete, {}, {}, storage::snapshot_copies::none, held).value();
  auto const streamed_summary = streamed.finish(db, scan_id);
  REQUIRE(streamed_summary.has_value());
  auto const streamed_rows = stored_findings(db, scan_id);

  auto const whole_summary = audit::run_audit(db, scan_id, options);
  REQUIRE(whole_summary.has_value());
  auto const whole_rows = stored_findings(db, scan_id);

  CHECK(streamed_rows.size() == 5);
  CHECK(streamed_rows == whole_rows);
  CHECK(streamed_summary->users == whole_summary->users);
  CHECK(streamed_summary->licensed_users == whole_summary->licensed_users);
  CHECK(streamed_summary->licenses == whole_summary->licenses);
  CHECK(streamed_summary->findings == whole_summary->findings);
  CHECK(streamed_summary->users_with_findings == whole_summary->users_with_findings);
  CHECK(streamed_summary->findings_by_origin == whole_summary->findings_by_origin);
  CHECK(streamed_summary->users_call_refused_403 == whole_summary->users_call_refused_403);
  CHECK(streamed_summary->users_call_refused_400 == whole_summary->users_call_refused_400);
  run.rewrote = streamed.rewrote_findings();
  return run;
}

}  // namespace

TEST_CASE("a streamed audit stores page by page exactly the findings run_audit stores") {
  SUBCASE("one page, the purchaser first") { check_streamed_equals_whole({{0, 1, 2, 3, 4, 5}}, 16); }
  SUBCASE("a page per user") { check_streamed_equals_whole({{0}, {1}, {2}, {3}, {4}, {5}}, 16); }
  SUBCASE("a page whose users' rows are apart") { check_streamed_equals_whole({{0, 1, 2, 3, 4, 5}}, 16, {}, true); }
  SUBCASE("with the identity provider's managed SKUs") {
    audit::audit_options options;
    options.idp_managed_skus = {"ENTERPRISEPACK", "POWER_BI_PRO"};
    check_streamed_equals_whole({{5, 4}, {3, 2, 1}, {0}}, 16, options);
  }
}

TEST_CASE("a finding stored before its purchaser's page names the purchaser once that page comes") {
  // bob's POWER_BI_PRO was bought by alice, whose page comes last: the finding waits for it.
  SUBCASE("held back in memory") { check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 16); }
  SUBCASE("held back, stored by finish()") {
    check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 16, {}, false, false);
  }
  SUBCASE("past the held limit, stored unnamed and named in place at finish") {
    check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 0);
  }
}

TEST_CASE("a purchaser named ahead of the listing: no finding waits for the purchaser's page, none is rewritten") {
  // bob's POWER_BI_PRO was bought by alice, whose page comes last.
  auto const run = check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 16, {}, false, true,
                                               {{alice_id, "alice@contoso.example"}, {"not-an-owner", "x@y"}});
  CHECK_FALSE(run.rewrote);

  // Bob's page yields his finding at once, citing alice.
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const scan_id = begin_small_tenant(db);
  for (bool ahead : {false, true}) {
    CAPTURE(ahead);
    audit::streamed_audit streamed({}, 16);
    REQUIRE(streamed.begin(db, scan_id));
    if (ahead) streamed.name_owners_ahead(owner_names{{alice_id, "alice@contoso.example"}});
    auto const users = small_tenant_users();
    std::string cited;
    for (auto const& f : streamed.page(page_of({users[1]})))
      if (f.sku_id == pbi) cited = f.owner_upns;
    CHECK(cited == (ahead ? "alice@contoso.example" : ""));
  }
}

TEST_CASE(
    "an owner the read ahead found no user for (a partner's) holds back no finding, even past the held limit, and "
    "nothing is rewritten") {
  owner_names const ahead{{alice_id, "alice@contoso.example"}, {"dddddddd-0000-0000-0000-000000000000", ""}};
  // Without the read ahead the partner's finding waits for an owner who never comes: past a held limit of 0 it is
  // stored unnamed and rewritten at the finish.
  CHECK(check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 0).rewrote);
  CHECK_FALSE(check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 0, {}, false, true, ahead).rewrote);
  CHECK_FALSE(check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 16, {}, false, false, ahead).rewrote);
}

TEST_CASE(
    "a purchaser named ahead otherwise than the listing names her, or never listed, leaves the findings as "
    "run_audit makes them") {
  SUBCASE("renamed since the read ahead") {
    CHECK(check_streamed_equals_whole({{1, 2}, {3, 4, 5}, {0}}, 16, {}, false, true,
                                      {{alice_id, "alice.old@contoso.example"}})
              .rewrote);
  }
  SUBCASE("not in the snapshot") {
    CHECK(check_streamed_equals_whole({{1, 2}, {3, 4, 5}}, 16, {}, false, true, {{alice_id, "alice@contoso.example"}})
              .rewrote);
  }
}

TEST_CASE("a purchaser missing from the snapshot leaves the finding named by what was met, as run_audit does") {
  SUBCASE("held until the snapshot completes") { check_streamed_equals_whole({{1, 2}, {3, 4, 5}}, 16); }
  SUBCASE("held until finish()") { check_streamed_equals_whole({{1, 2}, {3, 4, 5}}, 16, {}, false, false); }
  SUBCASE("stored unnamed") { check_streamed_equals_whole({{1, 2}, {3, 4, 5}}, 0); }
}

TEST_CASE("a streamed audit that cannot read its rules is unusable, yields nothing and leaves the error to run_audit") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const scan_id = begin_small_tenant(db);
  audit::audit_options options;
  options.rules_path = (dir / "missing.rules").string();
  audit::streamed_audit streamed(options);
  CHECK_FALSE(streamed.begin(db, scan_id));
  CHECK_FALSE(streamed.usable());
  CHECK(streamed.page(page_of(small_tenant_users())).empty());
  CHECK_FALSE(streamed.finish(db, scan_id).has_value());
  auto const whole = audit::run_audit(db, scan_id, options);
  REQUIRE_FALSE(whole.has_value());
  CHECK(whole.error().message.find("missing.rules") != std::string::npos);
}

namespace {

struct night_ahead {
  std::vector<std::string> names;  // the group_names of the findings of the group, carol's and bob's
  bool rewrote = false;            // finish() rewrote stored findings
};

// One streamed nightly scan of the small tenant into db whose scan read the groups `ahead` before the listing (stored
// with the snapshot before the audit begins, as the scanner stores the groups it lists ahead) and stored `after`
// once the listing was done. Bob's POWER_BI_PRO, bought by alice, is assigned by the group too; his page comes
// before alice's, so his finding is held back until hers, and is stored with the names known then.
night_ahead streamed_night_ahead(storage::database& db, const std::vector<storage::group_record>& ahead,
                                 const std::vector<storage::group_record>& after) {
  auto const scan_id = begin_small_tenant(db);
  db.write_groups(scan_id, ahead).value();
  audit::streamed_audit streamed({}, 16);
  REQUIRE(streamed.begin(db, scan_id));
  auto users = small_tenant_users();
  for (auto& s : users[1].states)
    if (s.sku_id == pbi) s.assigned_by_group = group_id;
  std::vector<storage::user_licenses> const first(users.begin() + 1, users.end());
  for (auto const& part : {page_of(first), page_of({users[0]})})
    db.write_user_page(scan_id, part, "", {}, streamed.page(part)).value();
  db.write_groups(scan_id, after).value();
  REQUIRE(streamed.finish(db, scan_id).has_value());
  db.finish_scan(scan_id, storage::scan_status::complete, {}, {}, storage::snapshot_copies::none).value();
  night_ahead out;
  out.rewrote = streamed.rewrote_findings();
  db.for_each_finding(scan_id, [&](const storage::finding_record& f) {
      if (f.group_ids == group_id) out.names.push_back(f.user_principal_name + ": " + f.group_names);
    }).value();
  return out;
}

// The same night when nothing was read ahead and the scan read the licensing group after the listing as group_name
// (empty: not read, the permission missing); returns the names.
std::vector<std::string> streamed_night(storage::database& db, const std::string& group_name) {
  std::vector<storage::group_record> after;
  if (!group_name.empty()) after.push_back({group_id, group_name});
  return streamed_night_ahead(db, {}, after).names;
}

std::vector<std::string> both_named(const std::string& name) {
  return {"bob@contoso.example: " + name, "carol@contoso.example: " + name};
}

}  // namespace

TEST_CASE("a streamed audit names each group as tonight's scan read it, whatever the last snapshot called it") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  CHECK(streamed_night(db, "Sales licences") == both_named("Sales licences"));
  CHECK(streamed_night(db, "Sales licences") == both_named("Sales licences"));  // guessed right: nothing renamed
  CHECK(streamed_night(db, "Sales (EU) licences") == both_named("Sales (EU) licences"));  // renamed since
  CHECK(streamed_night(db, "") == both_named(""));  // not read tonight: no stale name
  CHECK(streamed_night(db, "Sales licences") == both_named("Sales licences"));
}

TEST_CASE("groups named ahead of the listing name the findings as they are made: the finish rewrites none") {
  // A group read ahead that assigns none of the snapshot's licenses is not kept after the listing, and changes
  // nothing in the findings.
  std::vector<storage::group_record> const ahead{{group_id, "Sales licences"},
                                                 {"bbbbbbbb-0000-4000-8000-00000000000b", "Unused group"}};
  std::vector<storage::group_record> const after{{group_id, "Sales licences"}};
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const night = streamed_night_ahead(db, ahead, after);
  CHECK(night.names == both_named("Sales licences"));
  CHECK_FALSE(night.rewrote);
}

TEST_CASE("a group the read ahead missed, named after the listing, is named in the stored findings in place") {
  std::vector<storage::group_record> const ahead{{"bbbbbbbb-0000-4000-8000-00000000000b", "Unused group"}};
  std::vector<storage::group_record> const after{{group_id, "Sales licences"}};
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const night = streamed_night_ahead(db, ahead, after);
  CHECK(night.names == both_named("Sales licences"));
  CHECK(night.rewrote);
}

TEST_CASE("a group named ahead but not after the listing (its read failed) leaves its findings unnamed") {
  std::vector<storage::group_record> const ahead{{group_id, "Sales licences"}};
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "audit.db").string()).value();
  auto const night = streamed_night_ahead(db, ahead, {});
  CHECK(night.names == both_named(""));
  CHECK(night.rewrote);
}
