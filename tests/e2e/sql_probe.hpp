// tests/e2e/sql_probe.hpp — reading and altering a scan's database from a test, on a connection of its own, as
// another process would.
#pragma once

#include <string>

namespace e2e {

// The first column of the first row the query returns, bytes as stored (NUL included); empty when none.
std::string query_text(std::string const& db, std::string const& sql);
// The first column of the first row as an integer; -1 when there is no row.
long long query_int(std::string const& db, std::string const& sql);
// Runs statements that change the database (a trigger a test adds, say); fails the test on an error.
void execute_sql(std::string const& db, std::string const& sql);

}  // namespace e2e
