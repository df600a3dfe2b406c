#include "storage/detail/failure.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace storage::detail {
namespace {

// Messages are one line: SQLite's own text may quote SQL with newlines in it.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

constexpr std::string_view disk_full_fix =
    "free disk space on the database's file system (`scan --keep N` prunes old snapshots)";

std::string_view fix_for(int primary, int sys_errno) {
  if (sys_errno == ENOSPC || primary == SQLITE_FULL) return disk_full_fix;
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "another process is writing to it; wait for that scan to finish, or pass --db with another file";
    case SQLITE_NOTADB:
      return "pass --db with an entra-audit database, or move this file away";
    case SQLITE_CORRUPT:
      return "restore a backup, or pass --db with a new file and scan again";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return "check that the file and its directory exist and are writable by this user, or pass --db";
    case SQLITE_IOERR:
      return "check the disk and file system that hold the database";
    case SQLITE_NOMEM:
      return "free some memory and retry";
    case SQLITE_INTERRUPT:
      return "the operation was cancelled; run it again";
    default:
      return "this is a bug in entra-audit; please report it with this message";
  }
}

}  // namespace

base::error sqlite_failure(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  const int sys_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  std::string cause;
  if (sys_errno == ENOSPC) {
    cause = "disk full";
  } else if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == primary) {
    cause = one_line(sqlite3_errmsg(db));  // carries detail such as the constraint that failed
  } else {
    cause = sqlite3_errstr(rc);
  }
  return base::runtime_error(fmt::format("cannot {}: {} — {}", what, cause, fix_for(primary, sys_errno)));
}

base::error system_failure(int err, std::string_view what) {
  std::string_view fix;
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      fix = "choose a directory you can write to, or pass --db";
      break;
    case ENOENT:
    case ENOTDIR:
      fix = "create the directory first, or pass --db";
      break;
    case ENOSPC:
    case EDQUOT:
      fix = disk_full_fix;
      break;
    default:
      fix = "check the path, or pass --db";
  }
  return base::runtime_error(fmt::format("cannot {}: {} — {}", what, std::strerror(err), fix));
}

}  // namespace storage::detail
