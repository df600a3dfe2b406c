// tests/storage/sql_rows.hpp — reading a database file on a raw connection of its own, as another SQL user would.
#pragma once

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

namespace storage_test {

// The rows sql returns, each row's columns joined by '|' (NULL as "NULL").
inline std::vector<std::string> rows(const std::filesystem::path& p, const std::string& sql) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(p.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE_MESSAGE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &s, nullptr) == SQLITE_OK, sqlite3_errmsg(raw), " in ", sql);
  std::vector<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (c > 0) row += '|';
      auto const* t = sqlite3_column_text(s, c);
      row += t == nullptr ? "NULL" : reinterpret_cast<const char*>(t);
    }
    out.push_back(row);
  }
  sqlite3_finalize(s);
  sqlite3_close(raw);
  return out;
}

}  // namespace storage_test
