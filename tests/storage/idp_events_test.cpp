#include "sample.hpp"
#include "sql_rows.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

storage::idp_event_record event(std::string id, std::string at, std::string outcome = "failure") {
  return {.event_id = std::move(id),
          .source = "okta_log",
          .observed_at = std::move(at),
          .outcome = std::move(outcome),
          .user_id = storage_test::guid(1),
          .http_status = 403,
          .error_code = "Authorization_RequestDenied",
          .ingested_from = "logs.json"};
}

std::vector<storage::idp_event_record> stored(storage::database& db) {
  std::vector<storage::idp_event_record> out;
  storage_test::ok(db.for_each_idp_event([&](const storage::idp_event_record& e) { out.push_back(e); }));
  return out;
}

}  // namespace

TEST_CASE("identity provider events are stored once by event id and read back oldest first") {
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "a.db");
  std::vector<storage::idp_event_record> batch{event("b", "2026-11-24T03:00:00.000Z", "success"),
                                               event("a", "2026-11-24T02:00:00.000Z")};
  batch[0].http_status.reset();
  auto first = db.add_idp_events(batch);
  REQUIRE(first.has_value());
  CHECK(first->added == 2);
  CHECK(first->already_stored == 0);
  auto again = db.add_idp_events(batch);
  REQUIRE(again.has_value());
  CHECK(again->added == 0);
  CHECK(again->already_stored == 2);
  auto const rows = stored(db);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].event_id == "a");
  CHECK(rows[0].http_status == 403);
  CHECK(rows[0].error_code == "Authorization_RequestDenied");
  CHECK(rows[1].event_id == "b");
  CHECK_FALSE(rows[1].http_status.has_value());
  CHECK(rows[1].outcome == "success");
}

TEST_CASE("pruning snapshots keeps the identity provider's events") {
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "a.db");
  storage_test::complete_scan(db, 1, 2);
  storage_test::complete_scan(db, 1, 2);
  std::vector<storage::idp_event_record> batch{event("a", "2026-11-24T02:00:00.000Z")};
  REQUIRE(db.add_idp_events(batch).has_value());
  auto pruned = db.prune(storage_test::guid(9999), 1);
  REQUIRE(pruned.has_value());
  CHECK(*pruned == 1);
  CHECK(stored(db).size() == 1);
}

TEST_CASE("an event whose outcome is neither failure nor success is refused and the batch is not stored") {
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "a.db");
  std::vector<storage::idp_event_record> batch{event("a", "2026-11-24T02:00:00.000Z"),
                                               event("b", "2026-11-24T02:00:00.000Z", "maybe")};
  CHECK_FALSE(db.add_idp_events(batch).has_value());
  CHECK(stored(db).empty());
}

TEST_CASE("a version 4 database gains an empty idp_events table and keeps its snapshots") {
  test_support::temp_dir dir;
  {
    // Version 4 is version 5 (tests/data/schema_v5/) without idp_events.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((dir / "a.db").string().c_str(), &raw) == SQLITE_OK);
    auto const sql = test_support::read_file(std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" /
                                             "schema_v5" / "schema_v5.sql") +
                     "DROP TABLE idp_events; PRAGMA user_version = 4;";
    CHECK(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto const users = storage_test::rows(dir / "a.db", "SELECT count(*) FROM users WHERE scan_id = 4");
  auto db = storage_test::open(dir / "a.db");
  CHECK(stored(db).empty());
  std::vector<storage::idp_event_record> batch{event("a", "2026-11-24T02:00:00.000Z")};
  auto added = db.add_idp_events(batch);
  REQUIRE(added.has_value());
  CHECK(added->added == 1);
  CHECK(std::to_string(storage_test::user_ids(db, 4).size()) == users.at(0));
}

TEST_CASE("an event listed twice in one batch is stored once and counted as already stored") {
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "a.db");
  std::vector<storage::idp_event_record> batch{event("a", "2026-11-24T02:00:00.000Z"),
                                               event("a", "2026-11-24T02:00:00.000Z")};
  auto added = db.add_idp_events(batch);
  REQUIRE(added.has_value());
  CHECK(added->added == 1);
  CHECK(added->already_stored == 1);
  CHECK(stored(db).size() == 1);
}
