#include "sample.hpp"
#include "storage/database.hpp"
#include "storage/detail/schema.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace storage_test;

int file_mode(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return static_cast<int>(st.st_mode & 07777);
}

// Runs one query on a separate raw connection and returns the first column of the first row as text.
std::string query(const std::filesystem::path& p, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr)
    out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(raw);
  return out;
}

bool one_line(const std::string& s) { return s.find('\n') == std::string::npos && !s.empty(); }

}  // namespace

TEST_CASE("a new database file is created with mode 0600 whatever the umask") {
  test_support::temp_dir dir;
  const mode_t old = ::umask(0);
  auto db = storage::database::open((dir / "a.db").string());
  ::umask(old);
  REQUIRE(db.has_value());
  ok(db->begin_scan(start()));  // makes SQLite create the -wal file too
  CHECK(file_mode(dir / "a.db") == 0600);
  CHECK(file_mode(dir / "a.db-wal") == 0600);
  CHECK(file_mode(dir / "a.db-shm") == 0600);
}

TEST_CASE("an existing database file keeps its mode when opened") {
  test_support::temp_dir dir;
  { auto db = open(dir / "a.db"); }
  std::filesystem::permissions(dir / "a.db", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                 std::filesystem::perms::group_read);
  { auto db = open(dir / "a.db"); }
  CHECK(file_mode(dir / "a.db") == 0640);
}

TEST_CASE("a new database is WAL with the current schema version in user_version") {
  test_support::temp_dir dir;
  { auto db = open(dir / "a.db"); }
  CHECK(query(dir / "a.db", "PRAGMA user_version") == std::to_string(storage::schema::current_version));
  CHECK(query(dir / "a.db", "PRAGMA journal_mode") == "wal");
  CHECK(query(dir / "a.db", "SELECT count(*) FROM sqlite_schema WHERE name = 'latest_findings'") == "1");
  CHECK(query(dir / "a.db", "SELECT sql LIKE '%STRICT%' FROM sqlite_schema WHERE name = 'users'") == "1");
}

TEST_CASE("reopening a database migrates nothing and keeps its data") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    id = complete_scan(db, 1, 3);
  }
  const auto schema_before = query(dir / "a.db", "SELECT group_concat(sql, ';') FROM sqlite_schema");
  auto db = open(dir / "a.db");
  CHECK(query(dir / "a.db", "SELECT group_concat(sql, ';') FROM sqlite_schema") == schema_before);
  CHECK(user_ids(db, id) == std::vector<std::string>{guid(1), guid(2), guid(3)});
  auto latest = ok(db.latest_complete_scan());
  REQUIRE(latest.has_value());
  CHECK(latest->scan_id == id);
}

TEST_CASE("a database of a newer schema version is refused with both versions and the fix") {
  test_support::temp_dir dir;
  { auto db = open(dir / "a.db"); }
  query(dir / "a.db", "PRAGMA user_version = 99");
  for (auto mode : {storage::open_mode::read_write, storage::open_mode::read_only}) {
    auto db = storage::database::open((dir / "a.db").string(), mode);
    REQUIRE_FALSE(db.has_value());
    const auto& m = db.error().message;
    CHECK(one_line(m));
    CHECK(m.find("99") != std::string::npos);
    CHECK(m.find(std::to_string(storage::schema::current_version)) != std::string::npos);
    CHECK(m.find("upgrade entra-audit") != std::string::npos);
  }
}

TEST_CASE("an unwritable directory gives a one-line error naming the path and a fix") {
  test_support::temp_dir dir;
  std::filesystem::path target = dir / "locked" / "a.db";
  if (::geteuid() == 0) {
    target = "/sys/entra-audit-test.db";  // root may write anywhere a mode allows; sysfs refuses new files
  } else {
    std::filesystem::create_directory(dir / "locked");
    std::filesystem::permissions(dir / "locked",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  }
  auto db = storage::database::open(target.string());
  REQUIRE_FALSE(db.has_value());
  const auto& m = db.error().message;
  CHECK(one_line(m));
  CHECK(m.find("cannot open database '" + target.string() + "'") == 0);
  CHECK(m.find("Permission denied") != std::string::npos);
  CHECK(m.find("— ") != std::string::npos);
  CHECK(db.error().code == base::exit_code::runtime);
}

TEST_CASE("a missing directory gives a one-line error saying to create it") {
  test_support::temp_dir dir;
  auto db = storage::database::open((dir / "nope" / "a.db").string());
  REQUIRE_FALSE(db.has_value());
  CHECK(one_line(db.error().message));
  CHECK(db.error().message.find("create the directory") != std::string::npos);
}

TEST_CASE("a file that is not a database gives a one-line error and is left untouched") {
  test_support::temp_dir dir;
  std::string const text(8192, 'x');
  test_support::write_file(dir / "notes.txt", text);
  for (auto mode : {storage::open_mode::read_write, storage::open_mode::read_only}) {
    auto db = storage::database::open((dir / "notes.txt").string(), mode);
    REQUIRE_FALSE(db.has_value());
    const auto& m = db.error().message;
    CHECK(one_line(m));
    CHECK(m.find("cannot open database '") == 0);
    CHECK(m.find("not a database") != std::string::npos);
  }
  CHECK(test_support::read_file(dir / "notes.txt") == text);
}

TEST_CASE("an SQLite file of another program is refused rather than filled with our tables") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "other.db", "");
  query(dir / "other.db", "CREATE TABLE notes (x)");
  auto db = storage::database::open((dir / "other.db").string());
  REQUIRE_FALSE(db.has_value());
  CHECK(one_line(db.error().message));
  CHECK(db.error().message.find("another program") != std::string::npos);
  CHECK(query(dir / "other.db", "SELECT count(*) FROM sqlite_schema") == "1");
}

TEST_CASE("a read-only open of a missing file is a usage error that says to scan first") {
  test_support::temp_dir dir;
  const auto path = (dir / "missing.db").string();
  auto db = storage::database::open(path, storage::open_mode::read_only);
  REQUIRE_FALSE(db.has_value());
  CHECK(db.error().code == base::exit_code::usage);
  CHECK(db.error().message == "no database at '" + path + "' — run `entra-audit scan` first or pass --db");
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a read-only open reads snapshots and refuses writes") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    id = complete_scan(db, 1, 2);
  }
  auto ro = open(dir / "a.db", storage::open_mode::read_only);
  CHECK(user_ids(ro, id).size() == 2);
  auto started = ro.begin_scan(start());
  REQUIRE_FALSE(started.has_value());
  CHECK(one_line(started.error().message));
}

TEST_CASE("a locked database gives a one-line error after the busy timeout") {
  test_support::temp_dir dir;
  { auto db = open(dir / "a.db"); }
  // Another connection holds the write lock (as a scan in another process would).
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open_v2((dir / "a.db").c_str(), &other, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
  auto db = open(dir / "a.db");  // a current file is opened without taking the write lock
  auto started = db.begin_scan(start());
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  REQUIRE_FALSE(started.has_value());
  CHECK(one_line(started.error().message));
  CHECK(started.error().message.find("locked") != std::string::npos);
  CHECK(started.error().message.find("another process") != std::string::npos);
}

TEST_CASE("a version 1 database is migrated to the short findings index and keeps its findings in report order") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    id = complete_scan(db, 1, 3);
    std::vector<storage::finding_record> findings(3);
    for (int i = 0; i < 3; ++i) {
      findings[i].user_id = guid(i + 1);
      findings[i].user_principal_name = "u" + std::to_string(3 - i) + "@contoso.example";
      findings[i].sku_id = guid(10 + i);
      findings[i].origin = "unattributed";
    }
    ok(db.replace_findings(id, findings));
  }
  // The file as version 1 wrote it.
  query(dir / "a.db", "DROP INDEX findings_by_upn");
  query(dir / "a.db",
        "CREATE INDEX findings_by_upn ON findings (scan_id, user_principal_name, sku_part_number, sku_id)");
  query(dir / "a.db", "DROP TABLE doors");       // version 3's
  query(dir / "a.db", "DROP TABLE idp_events");  // version 4's
  query(dir / "a.db", "PRAGMA user_version = 1");
  {
    auto const refused = storage::database::open((dir / "a.db").string(), storage::open_mode::read_only);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("run `entra-audit scan` once to migrate it") != std::string::npos);
  }
  auto db = open(dir / "a.db");
  CHECK(query(dir / "a.db", "PRAGMA user_version") == std::to_string(storage::schema::current_version));
  CHECK(query(dir / "a.db", "SELECT group_concat(name, ',') FROM pragma_index_info('findings_by_upn')") ==
        "scan_id,user_principal_name");
  std::vector<std::string> upns;
  ok(db.for_each_finding(id, [&](const storage::finding_record& f) { upns.push_back(f.user_principal_name); }));
  CHECK(upns == std::vector<std::string>{"u1@contoso.example", "u2@contoso.example", "u3@contoso.example"});
}

TEST_CASE("a version 2 database gains an empty doors table and keeps its snapshots") {
  test_support::temp_dir dir;
  std::int64_t id = 0;
  {
    auto db = open(dir / "a.db");
    id = complete_scan(db, 1, 3);
  }
  // The file as version 2 wrote it.
  query(dir / "a.db", "DROP TABLE doors");
  query(dir / "a.db", "DROP TABLE idp_events");  // version 4's
  query(dir / "a.db", "PRAGMA user_version = 2");
  auto db = open(dir / "a.db");
  CHECK(query(dir / "a.db", "PRAGMA user_version") == std::to_string(storage::schema::current_version));
  auto doors = db.doors(id);
  REQUIRE(doors.has_value());
  CHECK(doors->empty());
  auto open_door = db.any_door_open(id);
  REQUIRE(open_door.has_value());
  CHECK_FALSE(*open_door);
  CHECK(user_ids(db, id).size() == 3);
}

TEST_CASE("the doors stored with a running snapshot read back in order and say whether one is open") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto id = db.begin_scan(start());
  REQUIRE(id.has_value());
  std::vector<storage::door_record> doors{
      {"trials", "", "", "closed", "false", "GET /beta/admin/appsAndServices", ""},
      {"self_service_purchase", "CFQ7TTC0H9MP", "Power BI Pro", "open", "Enabled", "--commerce-policies", ""},
      {"signup", "", "", "unknown", "", "GET /v1.0/policies/authorizationPolicy", "refused (403)"}};
  ok(db.write_doors(*id, doors));
  auto read = db.doors(*id);
  REQUIRE(read.has_value());
  REQUIRE(read->size() == 3);
  CHECK((*read)[0].door == "self_service_purchase");
  CHECK((*read)[0].product_name == "Power BI Pro");
  CHECK((*read)[1].door == "signup");
  CHECK((*read)[1].note == "refused (403)");
  CHECK((*read)[2].state == "closed");
  CHECK(db.any_door_open(*id).value());

  doors[1].state = "closed";  // a resumed scan replaces the doors
  ok(db.write_doors(*id, doors));
  CHECK_FALSE(db.any_door_open(*id).value());
  CHECK(db.doors(*id)->size() == 3);
}
