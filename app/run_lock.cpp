#include "app/run_lock.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace app {
namespace {

// Opening and locking are retried this often when another run creates, or someone replaces, the file meanwhile.
constexpr int max_tries = 3;

// Opens the database file, creating it empty with mode 0600 when it does not exist yet (storage's own rule): two
// runs racing to create it end up with the same file, as O_EXCL lets only one of them create it.
int open_database_file(const std::string& path) {
  for (int tries = 0; tries < max_tries; ++tries) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 || errno != ENOENT) return fd;
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
    if (fd >= 0) {
      (void)::fchmod(fd, S_IRUSR | S_IWUSR);  // the umask can only clear bits; say 0600 whatever it is
      return fd;
    }
    if (errno != EEXIST) return fd;
    // Another run created it just now (or the path is a dangling symbolic link): open what is there.
  }
  errno = ENOENT;
  return -1;
}

// The pid holding a flock on the file (from /proc/locks), or "" when it cannot be told.
std::string flock_holder(const struct stat& st) {
  std::ifstream locks("/proc/locks");
  std::string const id = fmt::format("{:02x}:{:02x}:{}", major(st.st_dev), minor(st.st_dev), st.st_ino);
  for (std::string line; std::getline(locks, line);) {
    // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"; lines of waiters carry "->" and are skipped.
    std::istringstream words(line);
    std::string seq, kind, advisory, mode, pid, file;
    if (!(words >> seq >> kind >> advisory >> mode >> pid >> file)) continue;
    if (kind == "FLOCK" && file == id && pid != "0") return pid;
  }
  return {};
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

}  // namespace

base::result<run_lock> run_lock::acquire(const std::string& db_path) {
  for (int tries = 0; tries < max_tries; ++tries) {
    int const fd = open_database_file(db_path);
    if (fd < 0)
      return base::runtime_error(
          fmt::format("cannot open database '{}' to lock it: {} — check that the directory "
                      "exists and is writable, or pass another --db",
                      db_path, std::strerror(errno)));
    struct stat locked {};
    if (::fstat(fd, &locked) != 0 || !S_ISREG(locked.st_mode)) {
      ::close(fd);
      return base::usage_error(
          fmt::format("--db '{}' is not a regular file — give the path of a database file", db_path));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int const err = errno;
      ::close(fd);
      if (err != EWOULDBLOCK)
        return base::runtime_error(fmt::format("cannot lock database '{}': {} — use a local file system for --db",
                                               db_path, std::strerror(err)));
      std::string const holder = flock_holder(locked);
      return base::runtime_error(
          fmt::format("another entra-audit run (pid {}) is writing '{}' — wait for it to "
                      "finish; overlapping runs are refused so snapshots stay consistent",
                      holder.empty() ? "unknown" : holder, db_path));
    }
    // The path may have been pointed at another file between open and flock (replaced, re-linked): the lock
    // must hold on the file the path names now, or a second run could lock the new one alongside.
    struct stat now {};
    if (::stat(db_path.c_str(), &now) == 0 && same_file(now, locked)) return run_lock(fd);
    ::close(fd);
  }
  return base::runtime_error(
      fmt::format("cannot lock database '{}': the file keeps being replaced — make sure no "
                  "other program renames or deletes it during a scan",
                  db_path));
}

run_lock::run_lock(run_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

run_lock::~run_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock (SQLite closed the file before: see acquire)
}

}  // namespace app
