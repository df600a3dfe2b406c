// app/run_lock.hpp — keeps two scans (e.g. overlapping cron runs) from writing one database at once.
#pragma once

#include "base/error.hpp"

#include <string>

namespace app {

// An exclusive advisory lock on "<db>.lock", released when the object dies (or the process does).
class run_lock {
 public:
  // Takes the lock without waiting; a lock held by another process is a runtime error naming its pid.
  static base::result<run_lock> acquire(const std::string& db_path);
  run_lock(run_lock&& other) noexcept;
  run_lock& operator=(run_lock&&) = delete;
  ~run_lock();

 private:
  explicit run_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace app
