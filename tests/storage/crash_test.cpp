#include "sample.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace storage_test;

constexpr int page_users = 50;

// Page n holds users n*page_users+1 .. (n+1)*page_users and links to "after-page-n".
std::string link_after(int n) { return "after-page-" + std::to_string(n); }

}  // namespace

TEST_CASE("a process killed while writing pages leaves a resumable snapshot whose users match its next link") {
  test_support::temp_dir dir;
  const auto path = dir / "a.db";
  { auto db = open(path); }  // created before the fork, so the child only writes

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto db = storage::database::open(path.string());
    if (!db) ::_exit(2);
    auto id = db->begin_scan(start());
    if (!id) ::_exit(3);
    for (int n = 0;; ++n) {  // until killed
      if (!db->write_user_page(*id, page(n * page_users + 1, (n + 1) * page_users), link_after(n), {n + 1, 0}))
        ::_exit(4);
    }
  }
  // Let it store some pages, then kill it without warning (no destructor, no rollback, mid-transaction).
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFSIGNALED(status));

  auto db = open(path);
  auto resumable = ok(db.resumable_scan(guid(9999)));
  REQUIRE(resumable.has_value());
  CHECK(resumable->status == storage::scan_status::running);
  REQUIRE(resumable->pages > 0);
  const int last = static_cast<int>(resumable->pages) - 1;
  CHECK(resumable->next_link == link_after(last));
  CHECK(resumable->requests == last + 1);
  // Exactly the committed pages are there: all of their users, none of the page in flight.
  const auto ids = user_ids(db, resumable->scan_id);
  CHECK(ids.size() == static_cast<std::size_t>((last + 1) * page_users));
  CHECK(ids.back() == guid((last + 1) * page_users));
  CHECK_FALSE(ok(db.latest_complete_scan()).has_value());

  // Resuming stores the page in flight and completes the snapshot.
  ok(db.write_user_page(resumable->scan_id, page((last + 1) * page_users + 1, (last + 2) * page_users), "", {}));
  ok(db.finish_scan(resumable->scan_id, storage::scan_status::complete, {}));
  CHECK(ok(db.latest_complete_scan())->users == (last + 2) * page_users);
}
