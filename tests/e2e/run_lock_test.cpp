// One scan per database file, however its path is spelled: a hard link, a symbolic link or a relative path meets
// the lock of a scan running through another name (docs/security.md, "One scan per database").
#include "e2e/fake_tenant.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <string>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

using test_fake::reply;
using test_support::run_entra_audit;

namespace {

// A tenant whose users page is held back for a few seconds, so that a first scan is still running (holding the
// lock) when a second one starts; `asked` turns true once the first scan reached the network (so it holds it).
struct slow_tenant {
  std::shared_ptr<std::atomic<bool>> asked = std::make_shared<std::atomic<bool>>(false);
  e2e::fake_tenant tenant{"[]", [asked = asked](const test_fake::request& r) -> std::optional<reply> {
                            *asked = true;
                            if (r.target.starts_with("/v1.0/users"))
                              std::this_thread::sleep_for(std::chrono::seconds(4));
                            return std::nullopt;
                          }};
};

// Starts a scan of db in the background, waits until it holds the lock, then runs a second scan through
// other_path; returns the second run's result and checks the first one finished normally.
test_support::run_result second_scan_through(const std::string& db, const std::string& other_path) {
  slow_tenant slow;
  test_support::temp_dir logs;
  test_support::child_process first(slow.tenant.scan_args(db), slow.tenant.env(), logs / "out", logs / "err");
  for (int i = 0; i < 200 && !*slow.asked; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(*slow.asked);
  auto second = run_entra_audit(slow.tenant.scan_args(other_path), slow.tenant.env());
  CHECK(first.wait() == 0);
  return second;
}

void check_refused(const test_support::run_result& r, const std::string& path) {
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("another entra-audit run (pid ") != std::string::npos);
  CHECK(r.err.find("(pid unknown)") == std::string::npos);  // /proc/locks named the first scan
  CHECK(r.err.find("is writing '" + path + "'") != std::string::npos);
}

}  // namespace

TEST_CASE("a second scan through a hard link to the database is refused while the first one runs") {
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  std::string const link = (dir / "hard.db").string();
  e2e::fake_tenant quick;
  REQUIRE(run_entra_audit(quick.scan_args(db), quick.env()).exit_code == 0);
  std::filesystem::create_hard_link(db, link);
  auto second = second_scan_through(db, link);
  check_refused(second, link);
}

TEST_CASE("a second scan through a symbolic link to the database is refused while the first one runs") {
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  std::string const link = (dir / "sym.db").string();
  std::filesystem::create_symlink(db, link);  // dangling until the first scan creates the database
  auto second = second_scan_through(db, link);
  check_refused(second, link);
}

TEST_CASE("a second scan through a relative path to the database is refused while the first one runs") {
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto const relative = std::filesystem::relative(db, std::filesystem::current_path()).string();
  REQUIRE(relative != db);
  auto second = second_scan_through(db, relative);
  check_refused(second, relative);
}

TEST_CASE("the lock is taken on the database file, so a scan is refused while any process flocks that file") {
  e2e::fake_tenant tenant;
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  int const fd = ::open(db.c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  auto r = run_entra_audit(tenant.scan_args(db), tenant.env());
  ::close(fd);
  check_refused(r, db);
  CHECK(r.err.find("(pid " + std::to_string(::getpid()) + ")") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(db + ".lock"));
}
