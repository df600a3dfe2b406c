#include "storage/detail/failure.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cerrno>

using storage::detail::sqlite_failure;
using storage::detail::system_failure;

TEST_CASE("a full disk is reported as one line saying to free space") {
  const auto e = sqlite_failure(nullptr, SQLITE_FULL, "store a page of users of scan 3 in 'a.db'");
  CHECK(e.message ==
        "cannot store a page of users of scan 3 in 'a.db': database or disk is full — free disk space on the "
        "database's file system (`scan --keep N` prunes old snapshots)");
  CHECK(e.code == base::exit_code::runtime);
  CHECK(system_failure(ENOSPC, "open database 'a.db'").message.find("free disk space") != std::string::npos);
}

TEST_CASE("storage errors name the cause and a fix for each kind of failure") {
  for (int rc : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_READONLY,
                 SQLITE_IOERR, SQLITE_NOMEM, SQLITE_MISUSE}) {
    const auto e = sqlite_failure(nullptr, rc, "open database 'a.db'");
    CHECK(e.message.find("cannot open database 'a.db': ") == 0);
    CHECK(e.message.find(" — ") != std::string::npos);
    CHECK(e.message.find('\n') == std::string::npos);
  }
  CHECK(sqlite_failure(nullptr, SQLITE_BUSY, "x").message.find("another process") != std::string::npos);
  CHECK(system_failure(EACCES, "open database 'a.db'").message ==
        "cannot open database 'a.db': Permission denied — choose a directory you can write to, or pass --db");
}
