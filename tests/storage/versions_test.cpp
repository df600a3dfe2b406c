// Users and findings kept as versions across snapshots (docs/schema.md "Versions"): stored again only when they
// changed, every snapshot still reading exactly what it held.
#include "sample.hpp"
#include "sql_rows.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace storage_test;

namespace {

std::int64_t count(const std::filesystem::path& p, const std::string& sql) { return std::stoll(rows(p, sql).at(0)); }

std::string users_of(std::int64_t scan) { return "SELECT count(*) FROM users WHERE scan_id = " + std::to_string(scan); }

// A complete snapshot of page(first, last) with changes applied to the page before it is written.
template <class Change>
std::int64_t scan_with(storage::database& db, int first, int last, Change change,
                       std::vector<storage::finding_record> findings = {}) {
  auto p = page(first, last);
  change(p);
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, p, "", {1, 0}));
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none, findings));
  return id;
}

storage::finding_record finding(int user, std::string origin) {
  storage::finding_record f;
  f.tenant_id = guid(9999);
  f.user_id = guid(user);
  f.user_principal_name = "user" + std::to_string(user) + "@contoso.example";
  f.sku_id = guid(1000);
  f.origin = std::move(origin);
  return f;
}

std::vector<std::string> finding_origins(storage::database& db, std::int64_t scan) {
  std::vector<std::string> out;
  ok(db.for_each_finding(
      scan, [&](const storage::finding_record& f) { out.push_back(f.user_principal_name + " " + f.origin); }));
  return out;
}

}  // namespace

TEST_CASE("a user who did not change since the last snapshot is stored once and held by both snapshots") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto first = complete_scan(db, 1, 10);
  const auto second = complete_scan(db, 1, 10);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 10);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_license_versions") == 15);
  CHECK(count(dir / "a.db", users_of(first)) == 10);
  CHECK(count(dir / "a.db", users_of(second)) == 10);
  CHECK(user_ids(db, first) == user_ids(db, second));
  CHECK(ok(db.scan(second))->users == 10);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_seen") == 0);  // gone once the snapshot completed
}

TEST_CASE("a changed user gets a new version and the earlier snapshot still reads the old one") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto first = complete_scan(db, 1, 4);
  const auto second = scan_with(db, 1, 4, [](storage::user_page& p) {
    p.users[1].department = "Legal";            // user 2's row
    p.licenses[0].disabled_plans.pop_back();    // user 1's license
    p.states.back().state = "ActiveWithError";  // user 4's second state
  });
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 4 + 3);
  auto department = [&](std::int64_t scan) {
    return rows(dir / "a.db",
                "SELECT department FROM users WHERE scan_id = " + std::to_string(scan) + " AND id = '" + guid(2) + "'");
  };
  CHECK(department(first) == std::vector<std::string>{"Sales"});
  CHECK(department(second) == std::vector<std::string>{"Legal"});
  std::vector<storage::user_licenses> before, after;
  ok(db.for_each_user(first, [&](const storage::user_licenses& u) { before.push_back(u); }));
  ok(db.for_each_user(second, [&](const storage::user_licenses& u) { after.push_back(u); }));
  REQUIRE(before.size() == 4);
  REQUIRE(after.size() == 4);
  CHECK(before[0].licenses[0].disabled_plans.size() == 2);
  CHECK(after[0].licenses[0].disabled_plans.size() == 1);
  CHECK(before[3].states.back().state == "Active");
  CHECK(after[3].states.back().state == "ActiveWithError");
  CHECK(after[2].user.department == "Sales");  // user 3 did not change: the same version
}

TEST_CASE("a user gone from the tenant stays in the snapshots that held them and no later one") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto first = complete_scan(db, 1, 5);
  const auto second = complete_scan(db, 1, 3);
  const auto third = complete_scan(db, 1, 5);  // users 4 and 5 are back: stored again
  CHECK(user_ids(db, first).size() == 5);
  CHECK(user_ids(db, second).size() == 3);
  CHECK(user_ids(db, third).size() == 5);
  CHECK(ok(db.scan(second))->users == 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 5 + 2);
}

TEST_CASE("a user listed twice in one snapshot is held once, as the later copy") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "next", {}));
  auto again = page(3, 4);
  again.users[0].display_name = "User Three, renamed";
  ok(db.write_user_page(id, again, "", {}));
  ok(db.remove_older_copies(id));
  ok(db.finish_scan(id, storage::scan_status::complete, {}, {}, storage::snapshot_copies::possible));
  std::vector<std::string> names;
  ok(db.for_each_user(id, [&](const storage::user_licenses& u) { names.push_back(u.user.display_name); }));
  CHECK(names == std::vector<std::string>{"User 1", "User 2", "User Three, renamed", "User 4"});
  CHECK(ok(db.scan(id))->users == 4);

  // The next snapshot meets user 3 (already known) twice, changed the second time: one version of it.
  const auto next = ok(db.begin_scan(start()));
  ok(db.write_user_page(next, page(1, 4), "next", {}));
  ok(db.write_user_page(next, page(3, 3), "", {}));
  ok(db.finish_scan(next, storage::scan_status::complete, {}, {}, storage::snapshot_copies::possible));
  CHECK(count(dir / "a.db", users_of(next)) == 4);
  CHECK(rows(dir / "a.db", "SELECT display_name FROM users WHERE scan_id = " + std::to_string(next) + " AND id = '" +
                               guid(3) + "'") == std::vector<std::string>{"User 3"});
  CHECK(rows(dir / "a.db", "SELECT display_name FROM users WHERE scan_id = " + std::to_string(id) + " AND id = '" +
                               guid(3) + "'") == std::vector<std::string>{"User Three, renamed"});
}

TEST_CASE("a snapshot resumed by another process knows which users it had already met") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    complete_scan(db, 1, 6);
    id = ok(db.begin_scan(start()));
    ok(db.write_user_page(id, page(1, 3), "next", {}));
    ok(db.finish_scan(id, storage::scan_status::interrupted, {}));
    // While it is interrupted, it holds what it met: users 1 to 3.
    CHECK(count(dir / "a.db", users_of(id)) == 3);
  }
  auto db = open(dir / "a.db");  // a new process
  ok(db.write_user_page(id, page(4, 5), "", {}));
  ok(db.finish_scan(id, storage::scan_status::complete, {}));
  CHECK(user_ids(db, id).size() == 5);  // user 6 went; 1 to 3 were met before the interruption
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 6);
}

TEST_CASE("a failed snapshot between two complete ones changes what neither holds") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto first = complete_scan(db, 1, 4);
  const auto failed = ok(db.begin_scan(start()));
  auto changed = page(1, 2);
  changed.users[0].mail = "one@contoso.example";
  ok(db.write_user_page(failed, changed, "next", {}));
  ok(db.finish_scan(failed, storage::scan_status::failed, {}, "HTTP 500"));
  const auto last = complete_scan(db, 1, 4);
  CHECK(count(dir / "a.db", users_of(first)) == 4);
  CHECK(count(dir / "a.db", users_of(failed)) == 2);
  CHECK(count(dir / "a.db", users_of(last)) == 4);
  for (auto scan : {first, last})
    CHECK(rows(dir / "a.db", "SELECT mail FROM users WHERE scan_id = " + std::to_string(scan) + " AND id = '" +
                                 guid(1) + "'") == std::vector<std::string>{""});
}

TEST_CASE("a finding that did not change is stored once, and each snapshot reads its own findings") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  const auto a = scan_with(db, 1, 3, same, {finding(1, "self_service_trial"), finding(2, "partner_managed")});
  const auto b = scan_with(db, 1, 3, same, {finding(1, "self_service_trial"), finding(2, "partner_managed")});
  const auto c = scan_with(db, 1, 3, same, {finding(1, "self_service_purchase"), finding(3, "group_inherited")});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 2 + 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM pending_findings") == 0);
  CHECK(finding_origins(db, a) ==
        std::vector<std::string>{"user1@contoso.example self_service_trial", "user2@contoso.example partner_managed"});
  CHECK(finding_origins(db, b) == finding_origins(db, a));
  CHECK(finding_origins(db, c) == std::vector<std::string>{"user1@contoso.example self_service_purchase",
                                                           "user3@contoso.example group_inherited"});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM findings WHERE scan_id = " + std::to_string(b)) == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 2);
}

TEST_CASE("re-auditing an older snapshot changes its findings and no other snapshot's") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  const auto a = scan_with(db, 1, 3, same, {finding(1, "self_service_trial")});
  const auto b = scan_with(db, 1, 3, same, {finding(1, "self_service_trial")});
  const auto c = scan_with(db, 1, 3, same, {finding(1, "self_service_trial")});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 1);
  ok(db.replace_findings(b, std::vector<storage::finding_record>{finding(2, "unattributed")}));
  CHECK(finding_origins(db, a) == std::vector<std::string>{"user1@contoso.example self_service_trial"});
  CHECK(finding_origins(db, b) == std::vector<std::string>{"user2@contoso.example unattributed"});
  CHECK(finding_origins(db, c) == std::vector<std::string>{"user1@contoso.example self_service_trial"});
  // Adding to a complete snapshot keeps what it held.
  ok(db.add_findings(c, std::vector<storage::finding_record>{finding(3, "partner_managed")}));
  CHECK(finding_origins(db, c) ==
        std::vector<std::string>{"user1@contoso.example self_service_trial", "user3@contoso.example partner_managed"});
  CHECK(finding_origins(db, a) == std::vector<std::string>{"user1@contoso.example self_service_trial"});
}

TEST_CASE("prune deletes the versions no kept snapshot holds and gives their pages back") {
  test_support::temp_dir dir;
  // The file's size once no connection is open (the last one to close checkpoints the WAL into it).
  auto closed_size = [&] { return std::filesystem::file_size(dir / "a.db"); };
  {
    auto db = open(dir / "a.db");
    for (int night = 0; night < 4; ++night)  // every user changes every night: four versions each
      scan_with(db, 1, 300,
                [&](storage::user_page& p) {
                  for (auto& u : p.users) u.department = std::string(400, static_cast<char>('a' + night));
                },
                {finding(1, std::string(500, static_cast<char>('a' + night)))});
  }
  auto const before = closed_size();
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 4 * 300);
  {
    auto db = open(dir / "a.db");
    CHECK(ok(db.prune(guid(9999), 1)) == 3);
    const auto kept = ok(db.latest_complete_scan());
    REQUIRE(kept.has_value());
    CHECK(user_ids(db, kept->scan_id).size() == 300);
  }
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_versions") == 300);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_license_versions") == 450);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 1);
  auto const after = closed_size();
  CAPTURE(before);
  CHECK(after < before / 2);
}

TEST_CASE("a completed snapshot leaves no free pages behind from its staged findings and met marks") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  std::vector<storage::finding_record> findings;
  for (int u = 1; u <= 400; ++u) findings.push_back(finding(u, std::string(300, 'x')));
  auto same = [](storage::user_page&) {};
  scan_with(db, 1, 400, same, findings);
  const auto second = scan_with(db, 1, 400, same, findings);  // every user met again, every finding the same
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 400);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM pending_findings") == 0);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM user_seen") == 0);
  // The staged rows filled some 40 pages of 4 KiB before they moved: none of them stays free in the file.
  CHECK(count(dir / "a.db", "PRAGMA freelist_count") == 0);
  CHECK(finding_origins(db, second).size() == 400);
}

TEST_CASE("the users a snapshot did not meet end at it, and those it met or stored stay current") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  complete_scan(db, 1, 6);
  const auto second = scan_with(db, 1, 6, [](storage::user_page& p) {
    // Users 2 and 5 went; user 3 changed; the others are met unchanged.
    std::erase_if(p.users, [](const storage::user_record& u) { return u.id == guid(2) || u.id == guid(5); });
    std::erase_if(p.licenses, [](const storage::assigned_license_record& l) {
      return l.user_id == guid(2) || l.user_id == guid(5);
    });
    std::erase_if(p.states,
                  [](const storage::license_state_record& s) { return s.user_id == guid(2) || s.user_id == guid(5); });
    for (auto& u : p.users)
      if (u.id == guid(3)) u.department = "Legal";
  });
  CHECK(rows(dir / "a.db", "SELECT id FROM user_versions WHERE until_scan = " + std::to_string(second) +
                               " ORDER BY id") == std::vector<std::string>{guid(2), guid(3), guid(5)});
  CHECK(rows(dir / "a.db", "SELECT id FROM user_versions WHERE until_scan IS NULL ORDER BY id") ==
        std::vector<std::string>{guid(1), guid(3), guid(4), guid(6)});
  CHECK(ok(db.scan(second))->users == 4);
}

TEST_CASE("a running snapshot stages only the findings that changed, and completes holding all of them") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  scan_with(db, 1, 3, same, {finding(1, "self_service_trial"), finding(2, "partner_managed")});
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(
      id, page(1, 3), "", {1, 0},
      std::vector<storage::finding_record>{finding(1, "self_service_trial"), finding(2, "self_service_purchase")}));
  // Finding 1 is the current version's: only marked in memory; finding 2 changed: staged.
  CHECK(rows(dir / "a.db", "SELECT origin FROM pending_findings") == std::vector<std::string>{"self_service_purchase"});
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(finding_origins(db, id) == std::vector<std::string>{"user1@contoso.example self_service_trial",
                                                            "user2@contoso.example self_service_purchase"});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 3);
}

TEST_CASE("findings met unchanged and renamed at the end of the scan are stored with the new names") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  auto named = [](std::string name) {
    auto f = finding(1, "group_inherited");
    f.group_ids = guid(77);
    f.group_names = std::move(name);
    return f;
  };
  const auto first = scan_with(db, 1, 3, same, {named("Sales licences")});
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, std::vector<storage::finding_record>{named("Sales licences")}));
  ok(db.update_owner_findings(id, [](storage::finding_record& f) { f.group_names = "Sales (EU) licences"; }));
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  auto names = [&](std::int64_t scan) {
    std::vector<std::string> out;
    ok(db.for_each_finding(scan, [&](const storage::finding_record& f) { out.push_back(f.group_names); }));
    return out;
  };
  CHECK(names(first) == std::vector<std::string>{"Sales licences"});
  CHECK(names(id) == std::vector<std::string>{"Sales (EU) licences"});
}

TEST_CASE("a snapshot whose tenant's findings another process re-audits while it runs still holds exactly its own") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  std::vector<storage::finding_record> const both{finding(1, "self_service_trial"), finding(2, "partner_managed")};
  const auto a = scan_with(db, 1, 3, same, both);
  const auto b = scan_with(db, 1, 3, same, both);
  const auto c = ok(db.begin_scan(start()));
  // Tonight finding 1 is gone: its version is not marked, finding 2's is.
  ok(db.write_user_page(c, page(1, 3), "", {1, 0}, std::vector<storage::finding_record>{both[1]}));
  {
    // Meanwhile snapshot b is re-audited without finding 1: its version is split at b, the part from c on a copy.
    auto other = open(dir / "a.db");
    ok(other.replace_findings(b, std::vector<storage::finding_record>{both[1]}));
  }
  ok(db.finish_scan(c, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(finding_origins(db, a) ==
        std::vector<std::string>{"user1@contoso.example self_service_trial", "user2@contoso.example partner_managed"});
  CHECK(finding_origins(db, b) == std::vector<std::string>{"user2@contoso.example partner_managed"});
  CHECK(finding_origins(db, c) == std::vector<std::string>{"user2@contoso.example partner_managed"});
}

TEST_CASE("a replacement of a running snapshot's findings that fails leaves the findings it had marked") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto same = [](storage::user_page&) {};
  std::vector<storage::finding_record> const both{finding(1, "self_service_trial"), finding(2, "partner_managed")};
  scan_with(db, 1, 3, same, both);
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, both));  // both met unchanged: marked, not staged
  auto const failed = db.replace_findings(id, [&](const storage::finding_sink& emit) -> base::result<void> {
    if (auto r = emit(both[0]); !r) return r;
    return base::runtime_error("the audit failed half-way");
  });
  REQUIRE_FALSE(failed.has_value());
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(finding_origins(db, id) ==
        std::vector<std::string>{"user1@contoso.example self_service_trial", "user2@contoso.example partner_managed"});
}

namespace {

// A tenant's first snapshot has no versions to compare its findings with: they are written straight into
// finding_versions with an empty range (first_scan = until_scan), which only its completion opens.
std::int64_t written_rows(const std::filesystem::path& p, std::int64_t scan) {
  auto const s = std::to_string(scan);
  return count(p, "SELECT count(*) FROM finding_versions WHERE first_scan = " + s + " AND until_scan = " + s);
}

// Rows a tenant's sole, unfinished snapshot wrote straight into finding_versions: the open range from it.
std::int64_t open_rows(const std::filesystem::path& p, std::int64_t scan) {
  return count(p, "SELECT count(*) FROM finding_versions WHERE first_scan = " + std::to_string(scan) +
                      " AND until_scan IS NULL");
}

// Every finding version of the file as SQL users see it (range, fingerprint, columns; not its id), in a stable order.
std::vector<std::string> finding_versions(const std::filesystem::path& p) {
  auto out = rows(p, "SELECT * FROM finding_versions ORDER BY user_id, sku_id, first_scan");
  for (auto& r : out) r.erase(0, r.find('|'));
  return out;
}

// After a tenant's only snapshot was abandoned and the next completed with `findings` findings: `held` of the
// abandoned one's rows are the next one's (still open), and pruning the abandoned one leaves the next one whole.
void check_next_holds(storage::database& db, const std::filesystem::path& p, std::int64_t abandoned, std::int64_t next,
                      std::int64_t held, std::int64_t findings) {
  CHECK(count(p, "SELECT count(*) FROM latest_findings") == findings);
  CHECK(open_rows(p, abandoned) == held);
  CHECK(ok(db.prune(guid(9999), 5)) == 1);
  CHECK(count(p, "SELECT count(*) FROM finding_versions") == findings);
  CHECK(finding_origins(db, next).size() == static_cast<std::size_t>(findings));
}

std::vector<storage::finding_record> first_findings() {
  auto group = finding(3, "group_inherited");
  group.group_ids = guid(77);
  return {finding(1, "self_service_trial"), finding(2, "partner_managed"), group};
}

}  // namespace

TEST_CASE("a tenant's first snapshot's findings reach no reader but the snapshot's own while it runs or once failed") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto earlier = complete_scan(db, 1, 3);  // a complete snapshot without findings: nothing to compare with
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
  CHECK(written_rows(dir / "a.db", id) == 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM pending_findings") == 0);
  auto invisible = [&] {
    CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 0);
    CHECK(count(dir / "a.db", "SELECT count(*) FROM findings") == 0);
    CHECK(finding_origins(db, earlier).empty());
    CHECK(ok(db.latest_complete_scan())->scan_id == earlier);
  };
  invisible();
  // The snapshot itself reads what it wrote (a report of a running scan, the audit's own checks).
  CHECK(finding_origins(db, id) == std::vector<std::string>{"user1@contoso.example self_service_trial",
                                                            "user2@contoso.example partner_managed",
                                                            "user3@contoso.example group_inherited"});
  ok(db.finish_scan(id, storage::scan_status::failed, {1, 0}, "listing failed"));
  invisible();
  CHECK(finding_origins(db, id).size() == 3);
  // The next snapshot starts afresh: the failed one's rows are neither compared with nor made its own.
  const auto next = scan_with(db, 1, 3, [](storage::user_page&) {}, {finding(1, "self_service_trial")});
  CHECK(finding_origins(db, next) == std::vector<std::string>{"user1@contoso.example self_service_trial"});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 1);
  // Pruned (unfinished, older than a complete snapshot), the failed snapshot takes its rows with it.
  CHECK(ok(db.prune(guid(9999), 5)) == 1);
  CHECK(written_rows(dir / "a.db", id) == 0);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 1);
}

TEST_CASE("a tenant's first snapshot completes holding the same finding versions as findings added the plain way") {
  test_support::temp_dir dir;
  {
    auto db = open(dir / "direct.db");
    scan_with(
        db, 1, 3, [](storage::user_page&) {}, first_findings());
    CHECK(count(dir / "direct.db", "SELECT count(*) FROM pending_findings") == 0);
    CHECK(count(dir / "direct.db", "SELECT count(*) FROM latest_findings") == 3);
  }
  {
    // The same findings added to a complete snapshot: staged in pending_findings and folded.
    auto db = open(dir / "plain.db");
    const auto id = complete_scan(db, 1, 3);
    ok(db.add_findings(id, first_findings()));
  }
  CHECK(finding_versions(dir / "direct.db").size() == 3);
  CHECK(finding_versions(dir / "direct.db") == finding_versions(dir / "plain.db"));
  CHECK(rows(dir / "direct.db", "SELECT * FROM latest_findings") ==
        rows(dir / "plain.db", "SELECT * FROM latest_findings"));
}

TEST_CASE("a tenant's only snapshot writes its findings with the open range, and its completion rewrites none") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
  CHECK(open_rows(dir / "a.db", id) == 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM pending_findings") == 0);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 0);  // no complete snapshot holds them
  CHECK(count(dir / "a.db", "SELECT count(*) FROM findings") == 0);
  CHECK(finding_origins(db, id).size() == 3);  // the snapshot reads what it wrote
  auto const written = rows(dir / "a.db", "SELECT version_id, content_hash, until_scan FROM finding_versions");
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(rows(dir / "a.db", "SELECT version_id, content_hash, until_scan FROM finding_versions") == written);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 3);
  CHECK(finding_origins(db, id).size() == 3);
}

TEST_CASE(
    "a tenant's only snapshot completes holding its findings when a later scan of it began meanwhile, and the later "
    "one holds none of them") {
  for (bool const other_process : {false, true}) {
    CAPTURE(other_process);
    test_support::temp_dir dir;
    auto db = open(dir / "a.db");
    const auto id = ok(db.begin_scan(start()));
    ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
    std::int64_t later = 0;
    if (other_process) {
      auto other = open(dir / "a.db");
      later = ok(other.begin_scan(start()));
    } else {
      later = ok(db.begin_scan(start()));  // against the run lock, as only a test may
    }
    ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
    CHECK(finding_origins(db, id).size() == 3);
    CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 3);
    ok(db.write_user_page(later, page(1, 3), "", {1, 0}));
    ok(db.finish_scan(later, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
    CHECK(finding_origins(db, later).empty());
    CHECK(finding_origins(db, id).size() == 3);
  }
}

TEST_CASE(
    "a tenant's only snapshot that failed or was killed with findings written leaves them to no reader, and "
    "the next snapshot holds exactly its own") {
  for (bool const killed : {false, true}) {
    CAPTURE(killed);
    test_support::temp_dir dir;
    std::int64_t id = 0;
    {
      auto db = open(dir / "a.db");
      id = ok(db.begin_scan(start()));
      ok(db.write_user_page(id, page(1, 3), "next", {1, 0}, first_findings()));
      if (!killed) ok(db.finish_scan(id, storage::scan_status::failed, {1, 0}, "listing failed"));
    }
    auto db = open(dir / "a.db");
    CHECK(open_rows(dir / "a.db", id) == 3);
    CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 0);
    CHECK(count(dir / "a.db", "SELECT count(*) FROM findings") == 0);
    // A new snapshot, not a resume: it finds none of those, but a purchase of user 1's.
    const auto next = scan_with(db, 1, 3, [](storage::user_page&) {}, {finding(1, "self_service_purchase")});
    CHECK(finding_origins(db, next) == std::vector<std::string>{"user1@contoso.example self_service_purchase"});
    CHECK(count(dir / "a.db", "SELECT count(*) FROM findings") == 1);
    // The abandoned snapshot's rows end at the next one, which holds none of them; pruning takes them.
    check_next_holds(db, dir / "a.db", id, next, 0, 1);
  }
}

TEST_CASE("a tenant's only snapshot completes holding its findings when another process wrote to the file meanwhile") {
  test_support::temp_dir dir;
  {
    auto db = open(dir / "plain.db");
    const auto id = complete_scan(db, 1, 3);
    ok(db.add_findings(id, first_findings()));
  }
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
  {
    // Another tenant's scan begins in another process: the matcher can no longer trust what it loaded, and the
    // completion compares the rows written from the file.
    auto other = open(dir / "a.db");
    ok(other.begin_scan(start(guid(8888))));
  }
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(finding_origins(db, id).size() == 3);
  CHECK(finding_versions(dir / "a.db") == finding_versions(dir / "plain.db"));
}

TEST_CASE("a tenant's only snapshot, killed, then finding the same again holds those rows and ends the rest") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    id = ok(db.begin_scan(start()));
    ok(db.write_user_page(id, page(1, 3), "next", {1, 0}, first_findings()));
  }
  auto db = open(dir / "a.db");
  auto again = first_findings();
  again.pop_back();  // user 3's finding is gone by the next snapshot
  const auto next = scan_with(
      db, 1, 3, [](storage::user_page&) {}, again);
  CHECK(finding_origins(db, next) ==
        std::vector<std::string>{"user1@contoso.example self_service_trial", "user2@contoso.example partner_managed"});
  check_next_holds(db, dir / "a.db", id, next, 2, 2);  // two of the killed one's rows, now the next one's
}

TEST_CASE("a tenant's first snapshot resumed by another process after a kill ends as a fresh one does") {
  test_support::temp_dir dir;
  {
    auto db = open(dir / "fresh.db");
    scan_with(
        db, 1, 3, [](storage::user_page&) {}, first_findings());
  }
  std::int64_t id = 0;
  {
    // Killed after its first page (two findings written), before the second.
    auto db = open(dir / "resumed.db");
    id = ok(db.begin_scan(start()));
    auto const all = first_findings();
    ok(db.write_user_page(id, page(1, 2), "next", {1, 0},
                          std::vector<storage::finding_record>(all.begin(), all.end() - 1)));
    CHECK(open_rows(dir / "resumed.db", id) == 2);  // the tenant's only snapshot: the open range at once
    CHECK(written_rows(dir / "resumed.db", id) == 0);
  }
  {
    // `scan --resume`: the rest listed without a streamed audit, then the whole snapshot audited again.
    auto db = open(dir / "resumed.db");
    REQUIRE(ok(db.resumable_scan(guid(9999))).has_value());
    ok(db.write_user_page(id, page(3, 3), "", {2, 0}));
    ok(db.replace_findings(id, first_findings()));
    CHECK(open_rows(dir / "resumed.db", id) == 3);
    ok(db.finish_scan(id, storage::scan_status::complete, {2, 0}));
  }
  CHECK(finding_versions(dir / "resumed.db") == finding_versions(dir / "fresh.db"));
}

TEST_CASE("a group renamed at the end of a tenant's first snapshot is stored with its new name and fingerprint") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
  ok(db.update_owner_findings(id, [](storage::finding_record& f) {
    if (!f.group_ids.empty()) f.group_names = "Sales licences";
  }));
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(rows(dir / "a.db", "SELECT group_names FROM latest_findings WHERE group_ids <> ''") ==
        std::vector<std::string>{"Sales licences"});
  // Its fingerprint is the renamed finding's: the next snapshot, finding the same, stores nothing new.
  auto renamed = first_findings();
  renamed[2].group_names = "Sales licences";
  const auto next = scan_with(
      db, 1, 3, [](storage::user_page&) {}, renamed);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM finding_versions") == 3);
  CHECK(finding_origins(db, next).size() == 3);
}

TEST_CASE(
    "prune from another connection while a tenant's first snapshot with findings runs keeps that snapshot's rows") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  complete_scan(db, 1, 3);
  complete_scan(db, 1, 3);
  const auto id = ok(db.begin_scan(start()));
  ok(db.write_user_page(id, page(1, 3), "", {1, 0}, first_findings()));
  {
    auto other = open(dir / "a.db");
    CHECK(ok(other.prune(guid(9999), 1)) == 1);
  }
  CHECK(written_rows(dir / "a.db", id) == 3);
  ok(db.finish_scan(id, storage::scan_status::complete, {1, 0}, {}, storage::snapshot_copies::none));
  CHECK(finding_origins(db, id).size() == 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_findings") == 3);
}
