#include "app/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace app {

base::result<run_lock> run_lock::acquire(const std::string& db_path) {
  std::string const path = db_path + ".lock";
  int const fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return base::runtime_error(fmt::format("cannot create lock file '{}': {} — check that the directory exists and is "
                                           "writable, or pass another --db",
                                           path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char pid[32] = {};
    ssize_t const n = ::pread(fd, pid, sizeof pid - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : std::string("another process");
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return base::runtime_error(fmt::format("another entra-audit run (pid {}) is writing '{}' — wait for it to finish; "
                                           "overlapping runs are refused so snapshots stay consistent",
                                           holder, db_path));
  }
  std::string const pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return run_lock(fd);
}

run_lock::run_lock(run_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

run_lock::~run_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace app
