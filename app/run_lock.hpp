// app/run_lock.hpp — keeps two scans (e.g. overlapping cron runs) from writing one database at once.
#pragma once

#include "base/error.hpp"

#include <string>

namespace app {

// An exclusive advisory lock (flock) on the database file itself, released when the object dies (or the process
// does). It holds on the file's identity (device + inode), so a hard link, a symbolic link or another spelling of
// the path meets the same lock (docs/security.md, "One scan per database").
class run_lock {
 public:
  // Opens the database file (creating it empty with mode 0600 if it does not exist) and takes the lock without
  // waiting; a lock held by another process is a runtime error naming its pid. Must be taken before SQLite opens
  // the file and released after SQLite closed it.
  static base::result<run_lock> acquire(const std::string& db_path);
  run_lock(run_lock&& other) noexcept;
  run_lock& operator=(run_lock&&) = delete;
  ~run_lock();

 private:
  explicit run_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace app
