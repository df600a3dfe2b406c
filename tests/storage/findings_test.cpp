#include "sample.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <tuple>

namespace {

using namespace storage_test;

storage::finding_record finding(std::string upn, std::string part, std::string sku) {
  storage::finding_record f;
  f.tenant_id = guid(9999);
  f.user_id = guid(1);
  f.user_principal_name = std::move(upn);
  f.sku_part_number = std::move(part);
  f.sku_id = std::move(sku);
  f.origin = "unattributed";
  return f;
}

std::vector<storage::finding_record> read_findings(storage::database& db, std::int64_t id) {
  std::vector<storage::finding_record> out;
  ok(db.for_each_finding(id, [&](const storage::finding_record& f) { out.push_back(f); }));
  return out;
}

// Runs sql on a second connection (as another SQL user of the file would).
void exec_raw(const std::filesystem::path& p, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  REQUIRE(rc == SQLITE_OK);
}

std::vector<std::string> upns(const std::vector<storage::finding_record>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.user_principal_name);
  return out;
}

}  // namespace

TEST_CASE("a finding round-trips all 22 fields") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 1);
  storage::finding_record f{guid(9999),
                            guid(1),
                            "a@b.example",
                            "Ann",
                            false,
                            "Guest",
                            "Ops",
                            guid(1000),
                            "ENTERPRISEPACK",
                            "Office 365 E3",
                            "self_service_trial",
                            "high",
                            "self_service_trial;email_verified_user",
                            "direct+group",
                            guid(3000) + ";" + guid(3001),
                            guid(20),
                            guid(1),
                            "a@b.example",
                            guid(8888),
                            true,
                            "removal_refused_403",
                            "ask the purchaser to cancel the trial"};
  const std::vector<storage::finding_record> in{f};
  ok(db.replace_findings(id, in));
  const auto out = read_findings(db, id);
  REQUIRE(out.size() == 1);
  const auto& g = out[0];
  CHECK(g.tenant_id == f.tenant_id);
  CHECK(g.user_id == f.user_id);
  CHECK(g.user_principal_name == f.user_principal_name);
  CHECK(g.display_name == f.display_name);
  CHECK(g.account_enabled == std::optional<bool>(false));
  CHECK(g.user_type == f.user_type);
  CHECK(g.department == f.department);
  CHECK(g.sku_id == f.sku_id);
  CHECK(g.sku_part_number == f.sku_part_number);
  CHECK(g.product_name == f.product_name);
  CHECK(g.origin == f.origin);
  CHECK(g.confidence == f.confidence);
  CHECK(g.evidence == f.evidence);
  CHECK(g.assignment == f.assignment);
  CHECK(g.group_ids == f.group_ids);
  CHECK(g.subscription_ids == f.subscription_ids);
  CHECK(g.owner_ids == f.owner_ids);
  CHECK(g.owner_upns == f.owner_upns);
  CHECK(g.owner_tenant_ids == f.owner_tenant_ids);
  CHECK(g.is_trial == std::optional<bool>(true));
  CHECK(g.idp_outcome == f.idp_outcome);
  CHECK(g.recommended_action == f.recommended_action);

  storage::finding_record unknown = finding("u@b.example", "", guid(1001));
  const std::vector<storage::finding_record> second{unknown};
  ok(db.replace_findings(id, second));  // replaces, never adds
  const auto replaced = read_findings(db, id);
  REQUIRE(replaced.size() == 1);
  CHECK_FALSE(replaced[0].account_enabled.has_value());
  CHECK_FALSE(replaced[0].is_trial.has_value());
}

TEST_CASE("findings come back sorted by upn, SKU part number and SKU id comparing bytes") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 1);
  const std::vector<storage::finding_record> in{
      finding("é@x", "A", guid(1)),  finding("a@x", "B", guid(2)), finding("Z@x", "A", guid(3)),
      finding("a@x", "A", guid(5)),  finding("a@x", "A", guid(4)), finding("a@x", "", guid(9)),
      finding("ab@x", "A", guid(1)), finding("A@x", "Z", guid(1)),
  };
  ok(db.replace_findings(id, in));
  std::vector<std::string> order;
  for (const auto& f : read_findings(db, id))
    order.push_back(f.user_principal_name + "|" + f.sku_part_number + "|" + f.sku_id.substr(0, 8));
  CHECK(order == std::vector<std::string>{"A@x|Z|00000001", "Z@x|A|00000003", "a@x||00000009", "a@x|A|00000004",
                                          "a@x|A|00000005", "a@x|B|00000002", "ab@x|A|00000001", "é@x|A|00000001"});
}

TEST_CASE("findings of one snapshot do not leak into another and need an existing scan") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto first = complete_scan(db, 1, 1);
  const auto second = complete_scan(db, 1, 1);
  const std::vector<storage::finding_record> in{finding("a@x", "A", guid(1))};
  ok(db.replace_findings(first, in));
  CHECK(read_findings(db, second).empty());
  auto missing = db.replace_findings(second + 100, in);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("there is no scan") != std::string::npos);
}

TEST_CASE("hostile text round-trips unchanged through users, states and findings") {
  const std::vector<std::string> hostile{
      "O'Brien \"the\" \\ back; DROP TABLE users; --",
      "line one\nline two\r\nthree\ttab",
      "emoji 🦄👩🏽‍💻 and RTL \u202Eעברית\u202C العربية",
      "=cmd|' /C calc'!A0",
      "  leading and trailing  ",
      "%s %n {} {{}} ?1 :name @x $y",
  };
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  storage::user_page p;
  for (std::size_t i = 0; i < hostile.size(); ++i) {
    auto u = user(static_cast<int>(i) + 1);
    u.display_name = hostile[i];
    u.department = hostile[i];
    p.users.push_back(u);
    p.licenses.push_back({u.id, guid(1000), {hostile[i]}});
    p.states.push_back({u.id, guid(1000), hostile[i], "Active", hostile[i], "", {hostile[i]}});
  }
  ok(db.write_user_page(id, p, hostile[2], {}));
  ok(db.finish_scan(id, storage::scan_status::failed, {}, hostile[0]));
  CHECK(ok(db.scan(id))->next_link == hostile[2]);
  CHECK(ok(db.scan(id))->error == hostile[0]);

  std::size_t i = 0;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) {
    REQUIRE(i < hostile.size());
    CHECK(u.user.display_name == hostile[i]);
    CHECK(u.user.department == hostile[i]);
    REQUIRE(u.licenses.size() == 1);
    CHECK(u.licenses[0].disabled_plans == std::vector<std::string>{hostile[i]});
    REQUIRE(u.states.size() == 1);
    CHECK(u.states[0].assigned_by_group == hostile[i]);
    CHECK(u.states[0].error == hostile[i]);
    CHECK(u.states[0].disabled_plans == std::vector<std::string>{hostile[i]});
    ++i;
  }));
  CHECK(i == hostile.size());

  std::vector<storage::finding_record> findings;
  for (const auto& h : hostile) {
    auto f = finding(h, h, guid(1));
    f.display_name = h;
    f.evidence = h;
    f.recommended_action = h;
    findings.push_back(f);
  }
  ok(db.replace_findings(id, findings));
  for (const auto& f : read_findings(db, id)) {
    CHECK(std::find(hostile.begin(), hostile.end(), f.user_principal_name) != hostile.end());
    CHECK(f.display_name == f.user_principal_name);
    CHECK(f.evidence == f.user_principal_name);
    CHECK(f.recommended_action == f.user_principal_name);
    CHECK(f.sku_part_number == f.user_principal_name);
  }
}

TEST_CASE("a reader's callback may start another read of the same database") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 3);
  const std::vector<storage::finding_record> in{finding("a@x", "A", guid(1)), finding("b@x", "A", guid(1))};
  ok(db.replace_findings(id, in));
  int outer = 0;
  int inner = 0;
  ok(db.for_each_finding(id, [&](const storage::finding_record&) {
    ++outer;
    ok(db.for_each_finding(id, [&](const storage::finding_record&) { ++inner; }));
    CHECK(user_ids(db, id).size() == 3);
  }));
  CHECK(outer == 2);
  CHECK(inner == 4);
}

TEST_CASE("a streaming replace stores what produce emits while it reads the users on the same connection") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  constexpr int users = 600;
  const auto id = complete_scan(db, 1, users);
  const std::vector<storage::finding_record> before{finding("old@x", "A", guid(1))};
  ok(db.replace_findings(id, before));

  // One finding per license, emitted from inside for_each_user: its three cursors stay open on the connection
  // that inserts into findings (another table) in the same write transaction.
  int emitted = 0;
  ok(db.replace_findings(id, [&](const storage::finding_sink& emit) -> base::result<void> {
    std::optional<base::error> failed;
    auto streamed = db.for_each_user(id, [&](const storage::user_licenses& u) {
      if (u.user.id == guid(7)) {  // a lookup mid-stream, as run_audit's callers may make
        const std::vector<std::string> ids{guid(3)};
        CHECK(ok(db.user_principal_names(id, ids)).at(0).second == "user3@contoso.example");
      }
      for (const auto& l : u.licenses) {
        auto f = finding(u.user.user_principal_name, "P", l.sku_id);
        f.user_id = u.user.id;
        if (auto r = emit(f); !r) failed = r.error();
        ++emitted;
      }
    });
    if (failed) return *failed;
    return streamed;
  }));
  CHECK(emitted == users + users / 2);

  const auto after = read_findings(db, id);
  REQUIRE(after.size() == static_cast<std::size_t>(emitted));  // the old finding is gone
  CHECK(std::is_sorted(after.begin(), after.end(), [](const auto& a, const auto& b) {
    return std::tie(a.user_principal_name, a.sku_part_number, a.sku_id) <
           std::tie(b.user_principal_name, b.sku_part_number, b.sku_id);
  }));
  CHECK(after.front().user_principal_name == "user100@contoso.example");  // bytes: "user1" < "user10" < "user100"
  CHECK(after.front().sku_id == guid(1000));
  CHECK(user_ids(db, id).size() == users);  // the users are untouched

  // Emitting nothing clears them.
  ok(db.replace_findings(id, [](const storage::finding_sink&) -> base::result<void> { return {}; }));
  CHECK(read_findings(db, id).empty());
}

TEST_CASE("a streaming replace rolls back on an error from produce and keeps the previous findings") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 3);
  const std::vector<storage::finding_record> before{finding("a@x", "A", guid(1)), finding("b@x", "A", guid(1))};
  ok(db.replace_findings(id, before));

  auto r = db.replace_findings(id, [&](const storage::finding_sink& emit) -> base::result<void> {
    for (int n = 0; n < 100; ++n)
      if (auto e = emit(finding(fmt::format("new{}@x", n), "A", guid(1))); !e) return e;
    return base::runtime_error("cannot classify: stop here");
  });
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "cannot classify: stop here");
  CHECK(upns(read_findings(db, id)) == std::vector<std::string>{"a@x", "b@x"});

  // The transaction ended: another connection takes the write lock at once, and this one writes again.
  exec_raw(dir / "a.db", "BEGIN IMMEDIATE; ROLLBACK");
  const auto next = ok(db.begin_scan(start()));
  CHECK(next > id);
  ok(db.replace_findings(id, [&](const storage::finding_sink& emit) { return emit(finding("c@x", "A", guid(1))); }));
  CHECK(upns(read_findings(db, id)) == std::vector<std::string>{"c@x"});
}

TEST_CASE("a streaming replace aborts on the first failed insert even if produce carries on") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  auto db = open(path);
  const auto id = complete_scan(db, 1, 1);
  const std::vector<storage::finding_record> before{finding("a@x", "A", guid(1))};
  ok(db.replace_findings(id, before));
  // Another SQL user of the file refuses one row, so the insert fails as a full disk would make it.
  exec_raw(path,
           "CREATE TRIGGER refuse_boom BEFORE INSERT ON pending_findings WHEN NEW.user_principal_name = 'boom@x' "
           "BEGIN SELECT RAISE(ABORT, 'boom refused'); END");

  int refused = 0;
  auto r = db.replace_findings(id, [&](const storage::finding_sink& emit) -> base::result<void> {
    CHECK(emit(finding("b@x", "A", guid(1))).has_value());
    for (const char* upn : {"boom@x", "c@x"})  // once one fails, every later emit fails and stores nothing
      if (auto e = emit(finding(upn, "A", guid(1))); !e) {
        CHECK(e.error().message.find("boom refused") != std::string::npos);
        ++refused;
      }
    return {};  // ignores the errors
  });
  CHECK(refused == 2);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("store the findings of scan") != std::string::npos);
  CHECK(upns(read_findings(db, id)) == std::vector<std::string>{"a@x"});

  bool called = false;
  auto missing = db.replace_findings(id + 100, [&](const storage::finding_sink&) -> base::result<void> {
    called = true;
    return {};
  });
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("there is no scan") != std::string::npos);
  CHECK_FALSE(called);
}
