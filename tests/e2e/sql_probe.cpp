#include "e2e/sql_probe.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <memory>

namespace e2e {
namespace {

// A connection that waits for the scan's writer (WAL readers do not wait) and closes itself.
std::unique_ptr<sqlite3, decltype(&sqlite3_close)> open(std::string const& db, int flags) {
  sqlite3* handle = nullptr;
  int const rc = sqlite3_open_v2(db.c_str(), &handle, flags, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> owned(handle, &sqlite3_close);
  REQUIRE(rc == SQLITE_OK);
  sqlite3_busy_timeout(handle, 10000);
  return owned;
}

}  // namespace

std::string query_text(std::string const& db, std::string const& sql) {
  auto handle = open(db, SQLITE_OPEN_READONLY);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle.get(), sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    auto const* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
    if (bytes != nullptr) value.assign(bytes, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  return value;
}

long long query_int(std::string const& db, std::string const& sql) {
  auto handle = open(db, SQLITE_OPEN_READONLY);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle.get(), sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  long long value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

void execute_sql(std::string const& db, std::string const& sql) {
  auto handle = open(db, SQLITE_OPEN_READWRITE);
  char* message = nullptr;
  int const rc = sqlite3_exec(handle.get(), sql.c_str(), nullptr, nullptr, &message);
  INFO((message != nullptr ? message : ""));
  sqlite3_free(message);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace e2e
