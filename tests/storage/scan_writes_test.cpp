#include "sample.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>

namespace {

using namespace storage_test;

// Counts rows with a raw SQL query on a second connection (what an SQL user of the file would see).
std::int64_t count(const std::filesystem::path& p, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  const auto n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(raw);
  return n;
}

}  // namespace

TEST_CASE("a new scan starts running with its start facts and no next link") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start("")));
  auto info = ok(db.scan(id));
  REQUIRE(info.has_value());
  CHECK(info->status == storage::scan_status::running);
  CHECK(info->tenant_id.empty());
  CHECK(info->license_details_mode == "derived");
  CHECK(info->tool_version == "0.1.0-test");
  CHECK(info->graph_endpoint == "http://127.0.0.1:1/v1.0");
  CHECK(info->started_at.size() == 24);  // 2026-11-23T09:30:00.000Z
  CHECK(info->finished_at.empty());
  ok(db.set_tenant(id, {guid(7), "Contoso"}));
  info = ok(db.scan(id));
  CHECK(info->tenant_id == guid(7));
  CHECK(info->tenant_name == "Contoso");
}

TEST_CASE("a page written twice stores each user once") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start(guid(9999), "fetch")));
  ok(db.write_user_page(id, page(1, 4), "next-1", {1, 0}));
  ok(db.write_user_page(id, page(1, 4), "next-1", {2, 0}));  // the same page again (a retried write)
  ok(db.write_user_page(id, page(5, 6), "", {3, 0}));
  ok(db.finish_scan(id, storage::scan_status::complete, {3, 0}));

  CHECK(user_ids(db, id).size() == 6);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_licenses") == 6 + 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM license_states") == 6 + 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM license_plans") == 6);
  auto info = ok(db.scan(id));
  CHECK(info->users == 6);
  CHECK(info->pages == 3);
  CHECK(info->requests == 3);
}

TEST_CASE("a snapshot finished with no copies possible keeps its rows as written, without the dedupe sort") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 4), "next-1", {1, 0}));
  ok(db.write_user_page(id, page(5, 6), "", {2, 0}));
  ok(db.finish_scan(id, storage::scan_status::complete, {2, 0}, {}, storage::snapshot_copies::none));
  CHECK(user_ids(db, id).size() == 6);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM users") == 6);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_licenses") == 6 + 3);
  CHECK(ok(db.scan(id))->users == 6);
  CHECK(ok(db.scan(id))->status == storage::scan_status::complete);
}

TEST_CASE("a re-written user loses the licenses the new page no longer has") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(2, 2), "", {}));
  storage::user_page again;
  again.users.push_back(user(2));
  ok(db.write_user_page(id, again, "", {}));
  int users = 0;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) {
    ++users;
    CHECK(u.licenses.empty());
    CHECK(u.states.empty());
  }));
  CHECK(users == 1);
}

TEST_CASE("for_each_user returns licenses and states grouped per user in id order") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  // Pages arrive in Graph's order, not id order.
  ok(db.write_user_page(id, page(7, 9), "n1", {}));
  ok(db.write_user_page(id, page(1, 3), "n2", {}));
  ok(db.write_user_page(id, page(4, 6), "", {}));
  // A user without licenses between users with some.
  storage::user_page bare;
  bare.users.push_back(user(10));
  ok(db.write_user_page(id, bare, "", {}));

  std::vector<storage::user_licenses> seen;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) { seen.push_back(u); }));
  REQUIRE(seen.size() == 10);
  for (int n = 1; n <= 10; ++n) {
    const auto& u = seen[n - 1];
    CHECK(u.user.id == guid(n));
    CHECK(u.user.user_principal_name == user(n).user_principal_name);
    if (n == 10) {
      CHECK(u.licenses.empty());
      CHECK(u.states.empty());
      continue;
    }
    const auto expected = page(n, n);
    REQUIRE(u.licenses.size() == expected.licenses.size());
    REQUIRE(u.states.size() == expected.states.size());
    for (std::size_t i = 0; i < u.licenses.size(); ++i) {
      CHECK(u.licenses[i].user_id == guid(n));
      CHECK(u.licenses[i].sku_id == expected.licenses[i].sku_id);
      CHECK(u.licenses[i].disabled_plans == expected.licenses[i].disabled_plans);
    }
    for (std::size_t i = 0; i < u.states.size(); ++i) {
      CHECK(u.states[i].sku_id == expected.states[i].sku_id);
      CHECK(u.states[i].assigned_by_group == expected.states[i].assigned_by_group);
      CHECK(u.states[i].disabled_plans == expected.states[i].disabled_plans);
      CHECK(u.states[i].state == "Active");
    }
  }
}

TEST_CASE("licenses and states in page order are stored under their user when users without any come between") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  // Users 2, 3, 5 and 6 hold nothing: each licensed user's rows follow one or two users without rows.
  storage::user_page p;
  for (int n = 1; n <= 7; ++n) p.users.push_back(user(n));
  for (int n : {1, 4, 7}) {
    p.licenses.push_back({guid(n), guid(1000), {}});
    p.states.push_back({guid(n), guid(1000), std::nullopt, "Active", "None", "2024-01-02T00:00:00Z", {}});
  }
  ok(db.write_user_page(id, p, "", {}));

  std::vector<storage::user_licenses> seen;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) { seen.push_back(u); }));
  REQUIRE(seen.size() == 7);
  for (int n = 1; n <= 7; ++n) {
    const auto& u = seen[n - 1];
    REQUIRE(u.user.id == guid(n));
    const std::size_t expected = (n == 1 || n == 4 || n == 7) ? 1 : 0;
    REQUIRE(u.licenses.size() == expected);
    REQUIRE(u.states.size() == expected);
    for (const auto& l : u.licenses) CHECK(l.user_id == guid(n));
    for (const auto& st : u.states) CHECK(st.user_id == guid(n));
  }
}

TEST_CASE("licenses and states are stored under their own user whatever their order in the page") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  auto p = page(1, 6);
  // Graph's order inside a page is its own: scatter the rows so that no row follows its user's previous one.
  std::reverse(p.licenses.begin(), p.licenses.end());
  std::rotate(p.states.begin(), p.states.begin() + static_cast<std::ptrdiff_t>(p.states.size() / 2), p.states.end());
  ok(db.write_user_page(id, p, "", {}));

  std::vector<storage::user_licenses> seen;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) { seen.push_back(u); }));
  REQUIRE(seen.size() == 6);
  for (int n = 1; n <= 6; ++n) {
    const auto expected = page(n, n);
    const auto& u = seen[n - 1];
    REQUIRE(u.user.id == guid(n));
    REQUIRE(u.licenses.size() == expected.licenses.size());
    REQUIRE(u.states.size() == expected.states.size());
    for (const auto& l : u.licenses) CHECK(l.user_id == guid(n));
    for (const auto& st : u.states) CHECK(st.user_id == guid(n));
  }
}

TEST_CASE("a complete snapshot is walked as stored, with the same licenses and states, a running one by id") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(7, 9), "n1", {}));
  ok(db.write_user_page(id, page(1, 3), "n2", {}));
  ok(db.write_user_page(id, page(2, 2), "n3", {}));  // user 2 again: a retried page

  auto order_of = [&](bool as_stored) {
    std::vector<std::string> ids;
    auto collect = [&](const storage::user_licenses& u) {
      ids.push_back(u.user.id);
      for (int n : {1, 2, 3, 7, 8, 9}) {
        if (guid(n) != u.user.id) continue;
        const auto expected = page(n, n);
        CHECK(u.licenses.size() == expected.licenses.size());
        CHECK(u.states.size() == expected.states.size());
      }
      for (const auto& l : u.licenses) CHECK(l.user_id == u.user.id);
      for (const auto& st : u.states) CHECK(st.user_id == u.user.id);
    };
    if (as_stored) ok(db.for_each_user_as_stored(id, collect));
    else ok(db.for_each_user(id, collect));
    return ids;
  };
  // Running: the stored-order walk falls back to id order, which skips user 2's older copy.
  std::vector<std::string> const by_id{guid(1), guid(2), guid(3), guid(7), guid(8), guid(9)};
  CHECK(order_of(true) == by_id);

  ok(db.finish_scan(id, storage::scan_status::complete, {}));
  CHECK(order_of(true) == std::vector<std::string>{guid(7), guid(8), guid(9), guid(1), guid(3), guid(2)});
  CHECK(order_of(false) == by_id);
}

TEST_CASE("every field of a user round-trips, unknown booleans included") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  storage::user_page p;
  storage::user_record u{guid(1), "a@b.example", "Ann", "ann@b.example",        "Guest",        std::nullopt,
                         "NO",    false,         "Ops", "2020-02-02T02:02:02Z", "EmailVerified"};
  p.users.push_back(u);
  ok(db.write_user_page(id, p, "", {}));
  ok(db.for_each_user(id, [&](const storage::user_licenses& got) {
    CHECK(got.user.id == u.id);
    CHECK(got.user.user_principal_name == u.user_principal_name);
    CHECK(got.user.display_name == u.display_name);
    CHECK(got.user.mail == u.mail);
    CHECK(got.user.user_type == u.user_type);
    CHECK_FALSE(got.user.account_enabled.has_value());
    CHECK(got.user.usage_location == u.usage_location);
    CHECK(got.user.on_premises_sync_enabled == std::optional<bool>(false));
    CHECK(got.user.department == u.department);
    CHECK(got.user.created_date_time == u.created_date_time);
    CHECK(got.user.creation_type == u.creation_type);
  }));
}

TEST_CASE("fetched license plans come back ordered by user, SKU and plan, once each") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start(guid(9999), "fetch")));
  ok(db.write_user_page(id, page(1, 2), "", {}));
  std::vector<storage::license_plan_record> plans{{guid(2), guid(1000), guid(5), "B", "Success", false},
                                                  {guid(1), guid(1001), guid(4), "A", "Disabled", true}};
  ok(db.write_license_plans(id, plans));
  ok(db.write_license_plans(id, plans));  // a retried batch does not duplicate
  std::vector<storage::license_plan_record> got;
  ok(db.for_each_license_plan(id, [&](const storage::license_plan_record& p) { got.push_back(p); }));
  REQUIRE(got.size() == 4);
  CHECK(got[0].user_id == guid(1));
  CHECK(got[0].sku_id == guid(1000));
  CHECK(got[1].sku_id == guid(1001));
  CHECK(got[1].service_plan_name == "A");
  CHECK(got[2].user_id == guid(2));
  CHECK(got[2].service_plan_id == guid(5));  // before the page's guid(2003)
  CHECK_FALSE(got[2].enabled);
}

TEST_CASE("a derived snapshot stores no plan rows and derives them from licenses and SKU plans") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  const auto id = ok(db.begin_scan(start()));
  storage::sku_record sku{"a_" + guid(1000),
                          guid(1000),
                          "E3",
                          "a",
                          "A",
                          "User",
                          "Enabled",
                          0,
                          0,
                          0,
                          0,
                          0,
                          {},
                          {{guid(2001), "P1", "Success", "User"}, {guid(2000), "P0", "PendingActivation", "User"}}};
  storage::sku_record twin = sku;  // the same skuId under another account adds its plans once
  twin.id = "b_" + guid(1000);
  twin.service_plans = {{guid(2000), "P0", "Success", "User"}, {guid(2005), "P5", "Success", "User"}};
  std::vector<storage::sku_record> skus{sku, twin};
  ok(db.write_tenant_facts(id, skus, {}));
  ok(db.write_user_page(id, page(1, 2), "", {}));  // page() carries plan rows: not stored
  CHECK(count(path, "SELECT count(*) FROM license_plans") == 0);

  std::vector<storage::license_plan_record> got;
  ok(db.for_each_license_plan(id, [&](const storage::license_plan_record& p) { got.push_back(p); }));
  // Users 1 and 2 hold guid(1000) with guid(2000) and guid(2001) disabled; guid(1001) has no SKU row.
  REQUIRE(got.size() == 6);
  CHECK(got[0].user_id == guid(1));
  CHECK(got[0].service_plan_id == guid(2000));
  CHECK(got[0].service_plan_name == "P0");
  CHECK_FALSE(got[0].enabled);
  CHECK(got[0].provisioning_status == "Disabled");
  CHECK(got[1].service_plan_id == guid(2001));
  CHECK(got[2].service_plan_id == guid(2005));
  CHECK(got[2].enabled);
  CHECK(got[2].provisioning_status == "Success");
  CHECK(got[3].user_id == guid(2));

  // SQL users see the same rows through latest_license_plans once the snapshot is complete.
  ok(db.finish_scan(id, storage::scan_status::complete, {}));
  CHECK(count(path, "SELECT count(*) FROM latest_license_plans") == 6);
  CHECK(count(path,
              "SELECT count(*) FROM latest_license_plans WHERE enabled = 0 AND provisioning_status = "
              "'Disabled'") == 4);
}

TEST_CASE("user principal names are looked up by id within the snapshot") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 3);
  std::vector<std::string> ids{guid(3), guid(42), guid(1)};
  auto got = ok(db.user_principal_names(id, ids));
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::pair<std::string, std::string>{guid(3), "user3@contoso.example"});
  CHECK(got[1].first == guid(1));
}

TEST_CASE("tenant SKUs and subscriptions round-trip and are replaced, not merged") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  storage::sku_record sku{
      "acct_" + guid(1000),
      guid(1000),
      "ENTERPRISEPACK",
      "acct",
      "Contoso",
      "User",
      "Enabled",
      5,
      10,
      1,
      2,
      3,
      {guid(20), guid(21)},
      {{guid(30), "EXCHANGE_S_ENTERPRISE", "Success", "User"}, {guid(31), "TEAMS1", "Disabled", "User"}}};
  storage::sku_record other = sku;
  other.id = "acct_" + guid(1001);
  other.sku_id = guid(1001);
  other.subscription_ids.clear();
  other.service_plans.clear();
  storage::subscription_record sub{guid(20),
                                   "commerce",
                                   guid(1000),
                                   "ENTERPRISEPACK",
                                   "Enabled",
                                   true,
                                   25,
                                   "2024-01-01T00:00:00Z",
                                   "2025-01-01T00:00:00Z",
                                   guid(1),
                                   guid(9999),
                                   "User"};
  storage::subscription_record bare{guid(21),     "", guid(1000), "",           "Deleted",    std::nullopt,
                                    std::nullopt, "", "",         std::nullopt, std::nullopt, std::nullopt};
  std::vector<storage::sku_record> skus{other, sku};
  std::vector<storage::subscription_record> subs{sub, bare};
  ok(db.write_tenant_facts(id, skus, subs));
  ok(db.write_tenant_facts(id, skus, subs));

  auto got = ok(db.skus(id));
  REQUIRE(got.size() == 2);
  const auto& g = got[0];  // ordered by id
  CHECK(g.id == sku.id);
  CHECK(g.sku_part_number == "ENTERPRISEPACK");
  CHECK(g.account_name == "Contoso");
  CHECK(g.consumed_units == 5);
  CHECK(g.prepaid_enabled == 10);
  CHECK(g.prepaid_suspended == 1);
  CHECK(g.prepaid_warning == 2);
  CHECK(g.prepaid_locked_out == 3);
  CHECK(g.subscription_ids == sku.subscription_ids);
  REQUIRE(g.service_plans.size() == 2);
  CHECK(g.service_plans[1].service_plan_name == "TEAMS1");
  CHECK(g.service_plans[1].provisioning_status == "Disabled");
  CHECK(got[1].service_plans.empty());

  auto got_subs = ok(db.subscriptions(id));
  REQUIRE(got_subs.size() == 2);
  CHECK(got_subs[0].is_trial == std::optional<bool>(true));
  CHECK(got_subs[0].total_licenses == std::optional<std::int64_t>(25));
  CHECK(got_subs[0].owner_tenant_id == guid(9999));
  CHECK(got_subs[0].owner_type == "User");
  CHECK(got_subs[0].next_lifecycle_date_time == "2025-01-01T00:00:00Z");
  CHECK_FALSE(got_subs[1].is_trial.has_value());
  CHECK_FALSE(got_subs[1].owner_id.has_value());
  CHECK_FALSE(got_subs[1].total_licenses.has_value());

  std::vector<storage::sku_record> fewer{sku};
  ok(db.write_tenant_facts(id, fewer, {}));
  CHECK(ok(db.skus(id)).size() == 1);
  CHECK(ok(db.subscriptions(id)).empty());
}

TEST_CASE("resumable_scan returns the stored next link of an interrupted or killed scan") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto tenant = guid(9999);
  CHECK_FALSE(ok(db.resumable_scan(tenant)).has_value());

  const auto id = ok(db.begin_scan(start(tenant)));
  ok(db.write_user_page(id, page(1, 2), "https://graph/users?$skiptoken=A", {1, 0}));
  ok(db.write_user_page(id, page(3, 4), "https://graph/users?$skiptoken=B", {2, 1}));
  // Killed here: the snapshot stays 'running' with the link after the last committed page.
  auto r = ok(db.resumable_scan(tenant));
  REQUIRE(r.has_value());
  CHECK(r->scan_id == id);
  CHECK(r->next_link == "https://graph/users?$skiptoken=B");
  CHECK(r->throttled == 1);

  ok(db.finish_scan(id, storage::scan_status::interrupted, {2, 1}));
  r = ok(db.resumable_scan(tenant));
  REQUIRE(r.has_value());
  CHECK(r->status == storage::scan_status::interrupted);
  CHECK(r->next_link == "https://graph/users?$skiptoken=B");
  CHECK_FALSE(ok(db.resumable_scan(guid(1))).has_value());  // another tenant's scan is not ours to resume

  // Resuming: the next page marks it running again; finishing completes it.
  ok(db.write_user_page(id, page(5, 6), "", {3, 1}));
  CHECK(ok(db.scan(id))->status == storage::scan_status::running);
  ok(db.finish_scan(id, storage::scan_status::complete, {3, 1}));
  CHECK_FALSE(ok(db.resumable_scan(tenant)).has_value());
  CHECK(user_ids(db, id).size() == 6);
}

TEST_CASE("a page that fails half-way leaves nothing behind and keeps the previous next link") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 2), "after-page-1", {1, 0}));
  auto broken = page(3, 4);
  broken.licenses.push_back({guid(77), guid(1000), {}});  // a license whose user is not in the page
  auto r = db.write_user_page(id, broken, "after-page-2", {2, 0});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find(guid(77)) != std::string::npos);
  CHECK(count(path, "SELECT count(*) FROM users") == 2);
  CHECK(count(path, "SELECT count(*) FROM user_licenses") == 3);
  auto info = ok(db.resumable_scan(guid(9999)));
  CHECK(info->next_link == "after-page-1");
  CHECK(info->pages == 1);
  ok(db.write_user_page(id, page(3, 4), "", {2, 0}));  // the connection is usable afterwards
  CHECK(user_ids(db, id).size() == 4);
}

TEST_CASE("a finished scan refuses further pages") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 1);
  auto r = db.write_user_page(id, page(2, 2), "", {});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("is not running") != std::string::npos);
  CHECK(user_ids(db, id).size() == 1);
}

TEST_CASE("a failed scan never replaces the last complete snapshot") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  const auto good = complete_scan(db, 1, 3);
  ok(db.replace_findings(good, std::vector<storage::finding_record>(1)));

  const auto failed = ok(db.begin_scan(start()));
  ok(db.write_user_page(failed, page(1, 5), "x", {}));
  ok(db.finish_scan(failed, storage::scan_status::failed, {}, "cannot read users: HTTP 500\nsecond line"));
  const auto interrupted = ok(db.begin_scan(start()));
  ok(db.write_user_page(interrupted, page(1, 6), "y", {}));
  ok(db.finish_scan(interrupted, storage::scan_status::interrupted, {}));
  const auto running = ok(db.begin_scan(start()));
  ok(db.write_user_page(running, page(1, 7), "z", {}));

  CHECK(ok(db.latest_complete_scan())->scan_id == good);
  CHECK(ok(db.latest_complete_scan(guid(9999)))->scan_id == good);
  CHECK_FALSE(ok(db.latest_complete_scan(guid(1))).has_value());
  CHECK(ok(db.scan(failed))->error == "cannot read users: HTTP 500 second line");
  CHECK(count(path, "SELECT count(*) FROM latest_scans") == 1);
  CHECK(count(path, "SELECT max(scan_id) FROM latest_scans") == good);
  CHECK(count(path, "SELECT count(*) FROM latest_users") == 3);
  CHECK(count(path, "SELECT count(*) FROM latest_user_licenses") == 3 + 1);
  CHECK(count(path, "SELECT count(*) FROM latest_license_states") == 3 + 1);
  CHECK(count(path, "SELECT count(*) FROM latest_findings") == 1);
  CHECK(ok(db.scans()).size() == 4);
}

TEST_CASE("the latest views show each tenant's newest complete snapshot") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  complete_scan(db, 1, 2, guid(1));
  complete_scan(db, 1, 3, guid(2));
  const auto newest = complete_scan(db, 1, 4, guid(1));
  CHECK(count(path, "SELECT count(*) FROM latest_scans") == 2);
  CHECK(count(path, "SELECT count(*) FROM latest_users") == 4 + 3);
  CHECK(count(path, "SELECT scan_id FROM latest_scans WHERE tenant_id = '" + guid(1) + "'") == newest);
  CHECK(ok(db.latest_complete_scan(guid(2)))->users == 3);
  CHECK(ok(db.scans(guid(1))).size() == 2);
  CHECK(ok(db.scans(guid(1)))[0].scan_id == newest);  // newest first
}

TEST_CASE("prune keeps the newest N complete snapshots of the tenant and drops their rows") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(complete_scan(db, 1, 2));
  const auto old_failed = ok(db.begin_scan(start()));
  ok(db.finish_scan(old_failed, storage::scan_status::failed, {}, "x"));
  ids.push_back(complete_scan(db, 1, 2));
  const auto other_tenant = complete_scan(db, 1, 2, guid(1));
  const auto newer_interrupted = ok(db.begin_scan(start()));
  ok(db.write_user_page(newer_interrupted, page(1, 1), "next", {}));
  ok(db.finish_scan(newer_interrupted, storage::scan_status::interrupted, {}));

  CHECK(ok(db.prune(guid(9999), 2)) == 4);  // 3 complete + 1 failed older than the newest complete
  std::vector<std::int64_t> left;
  for (const auto& s : ok(db.scans(guid(9999)))) left.push_back(s.scan_id);
  CHECK(left == std::vector<std::int64_t>{newer_interrupted, ids[4], ids[3]});
  CHECK(ok(db.scan(other_tenant)).has_value());
  CHECK(count(path, "SELECT count(*) FROM users") == 2 * 2 + 2 + 1);
  CHECK(count(path, "SELECT count(*) FROM user_licenses WHERE scan_id = " + std::to_string(ids[0])) == 0);
  CHECK(ok(db.prune(guid(9999), 2)) == 0);
  CHECK(ok(db.resumable_scan(guid(9999)))->scan_id == newer_interrupted);
  CHECK_FALSE(db.prune(guid(9999), 0).has_value());
}

TEST_CASE("a second connection reads while a page's write transaction is open") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto writer = open(path);
  const auto good = complete_scan(writer, 1, 3);
  const auto id = ok(writer.begin_scan(start()));
  ok(writer.write_user_page(id, page(1, 2), "next", {}));

  // Hold a write transaction open on a third raw connection, as a scan in the middle of a page does.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "BEGIN IMMEDIATE; DELETE FROM user_versions;", nullptr, nullptr, nullptr) == SQLITE_OK);

  auto reader = open(path, storage::open_mode::read_only);
  CHECK(ok(reader.latest_complete_scan())->scan_id == good);
  CHECK(user_ids(reader, good).size() == 3);  // the uncommitted delete is invisible
  auto rw_reader = open(path);                // a read-write open of a current file needs no write lock
  CHECK(user_ids(rw_reader, id).size() == 2);

  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
}

TEST_CASE("a page's findings and a snapshot's last findings are stored in the page's and the completing transaction") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  const auto id = ok(db.begin_scan(start()));
  std::vector<storage::finding_record> two(2);
  two[0].user_principal_name = "a@x";
  two[1].user_principal_name = "b@x";
  ok(db.write_user_page(id, page(1, 2), "next", {1, 0}, two));
  // A tenant's first snapshot writes them where only the snapshot itself reads them while it runs (not the
  // `findings` view: docs/schema.md "Versions").
  int stored = 0;
  ok(db.for_each_finding(id, [&](const storage::finding_record&) { ++stored; }));
  CHECK(stored == 2);

  std::vector<storage::finding_record> last(1);
  last[0].user_principal_name = "c@x";
  ok(db.finish_scan(id, storage::scan_status::complete, {2, 0}, {}, storage::snapshot_copies::none, last));
  CHECK(count(path, "SELECT count(*) FROM latest_findings") == 3);

  // A scan that is no longer running takes neither a page nor last findings: nothing of them is stored.
  auto page_refused = db.write_user_page(id, page(3, 1), "", {}, last);
  REQUIRE_FALSE(page_refused.has_value());
  auto finish_refused =
      db.finish_scan(id, storage::scan_status::complete, {}, {}, storage::snapshot_copies::none, last);
  REQUIRE_FALSE(finish_refused.has_value());
  CHECK(finish_refused.error().message.find("is not running") != std::string::npos);
  CHECK(count(path, "SELECT count(*) FROM findings") == 3);
}
