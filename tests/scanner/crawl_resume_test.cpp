#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

using namespace scanner_test;

namespace {

// Raises SIGINT in this process once the emulator has served `pages` users pages (the scan is then mid-chain,
// with latency keeping several pages still to go), as a person pressing Ctrl-C would.
class interrupter {
 public:
  interrupter(const graphsim::background_server& sim, std::int64_t pages)
      : thread_([this, &sim, pages] {
          while (!done_) {
            if (endpoint_requests(sim, "GET /v1.0/users") >= pages) {
              std::raise(SIGINT);
              return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }) {}
  ~interrupter() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

graphsim::sim_options slow_tenant(std::uint16_t port = 0) {
  graphsim::sim_options o;
  o.users = 6000;  // 7 pages
  o.seed = 9;
  o.port = port;
  o.latency_min_ms = 150;  // each page takes a while, so the signal lands mid-chain
  o.latency_max_ms = 200;
  return o;
}

std::uint16_t port_of(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("SIGINT interrupts a scan after a whole page, and --resume finishes it equal to an uninterrupted scan") {
  auto sim = start_sim(slow_tenant());
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim);
  options.shards = scanner::shards_setting{false, 0};  // the single chain; sharded listings have their own test

  base::result<scanner::scan_summary> first = base::runtime_error("not run");
  {
    interrupter ctrl_c(*sim, 3);
    first = scanner::run_scan(db, options);
  }
  REQUIRE_FALSE(first.has_value());
  MESSAGE(first.error().message);
  CHECK(first.error().message.find("--resume") != std::string::npos);
  CHECK(first.error().message.find("SIGINT") != std::string::npos);
  auto const resumable = db.resumable_scan(sim->tenant_id());
  REQUIRE_OK(resumable);
  REQUIRE(resumable->has_value());
  auto const& interrupted = **resumable;
  CHECK(interrupted.status == storage::scan_status::interrupted);
  CHECK(interrupted.pages >= 1);
  CHECK(interrupted.pages < 7);
  CHECK_FALSE(interrupted.next_link.empty());
  auto const latest = db.latest_complete_scan(sim->tenant_id());
  REQUIRE_OK(latest);
  CHECK_FALSE(latest->has_value());  // never visible as complete

  options.resume = true;
  auto const resumed = scanner::run_scan(db, options);
  REQUIRE_OK(resumed);
  CHECK(resumed->resumed);
  CHECK(resumed->scan_id == interrupted.scan_id);
  CHECK(resumed->users == 6000);
  CHECK(resumed->pages == 7);

  auto const truth = served(6000, 9);
  auto const got = stored(db, resumed->scan_id);
  CHECK(got.user_rows == 6000);
  CHECK(got.users == truth.users);
  CHECK(got.licenses == truth.licenses);

  // The same tenant scanned in one go stores the same rows.
  options.resume = false;
  auto const whole = scanner::run_scan(db, options);
  REQUIRE_OK(whole);
  auto const reference = stored(db, whole->scan_id);
  CHECK(got.licenses == reference.licenses);
  CHECK(got.plans == reference.plans);
  CHECK(resumed->licensed_users == whole->licensed_users);
}

namespace {

// SIGINT after `pages` users pages of a 30,000-user sharded listing paged `chains` at a time, then --resume: the
// snapshot must equal the truth. Returns the cursor stored at the interruption.
scanner::shard_cursor check_sharded_resume(unsigned chains, int pages) {
  graphsim::sim_options o = slow_tenant();
  o.users = 30000;  // 31 pages over 44 shards
  o.latency_min_ms = 40;
  o.latency_max_ms = 80;
  auto sim = start_sim(o);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim);
  options.shards = scanner::shards_setting{false, chains};

  base::result<scanner::scan_summary> first = base::runtime_error("not run");
  std::string log;
  {
    test_support::stderr_capture captured;
    interrupter ctrl_c(*sim, pages);
    first = scanner::run_scan(db, options);
    log = captured.text();
  }
  REQUIRE_FALSE(first.has_value());
  // The requests in flight when the stop came are abandoned, not retried, and no warning says otherwise.
  CAPTURE(log);
  CHECK(log.find("retrying") == std::string::npos);
  auto const resumable = db.resumable_scan(sim->tenant_id());
  REQUIRE_OK(resumable);
  REQUIRE(resumable->has_value());
  auto const& interrupted = **resumable;
  CHECK(interrupted.pages >= 1);
  CHECK(interrupted.users < 30000);
  // The cursor records each shard: pending, part-way with its next link, done, or split into longer prefixes.
  CHECK(scanner::shard_cursor::is_sharded(interrupted.next_link));
  auto cursor = scanner::shard_cursor::decode(interrupted.next_link);
  REQUIRE_OK(cursor);
  std::int64_t in_shards = 0;
  for (auto const& shard : cursor->shards) in_shards += shard.stored;
  CHECK(in_shards == interrupted.users);

  options.resume = true;
  auto const resumed = scanner::run_scan(db, options);
  REQUIRE_OK(resumed);
  CHECK(resumed->scan_id == interrupted.scan_id);
  CHECK(resumed->users == 30000);
  auto const truth = served(30000, 9);
  auto const got = stored(db, resumed->scan_id);
  CHECK(got.user_rows == 30000);
  CHECK(got.users == truth.users);
  CHECK(got.licenses == truth.licenses);
  return std::move(*cursor);
}

}  // namespace

TEST_CASE("SIGINT during a sharded listing stores every shard's place, and --resume finishes it equal to the truth") {
  auto const cursor = check_sharded_resume(4, 12);
  CHECK(cursor.shards.size() == scanner::upn_first_characters().size());
}

TEST_CASE(
    "SIGINT after big shards were split stores the longer prefixes' places, and --resume finishes equal to the truth") {
  // 64 chains: 469 users a chain, so a shard of more than two pages is worth splitting, and the biggest first
  // letters (about 3,000 users) are split on their first page.
  auto const cursor = check_sharded_resume(64, 40);
  CHECK(cursor.shards.size() > scanner::upn_first_characters().size());
  CHECK(std::any_of(cursor.shards.begin(), cursor.shards.end(),
                    [](const scanner::shard_progress& s) { return s.at == scanner::shard_progress::phase::replaced; }));
}

TEST_CASE("a resume whose stored link has expired starts the users over in the same snapshot, without duplicates") {
  test_support::temp_dir dir;
  auto db = open_db(dir);
  std::uint16_t port = 0;
  std::int64_t scan_id = 0;
  {
    auto sim = start_sim(slow_tenant());
    port = port_of(sim->url());
    interrupter ctrl_c(*sim, 3);
    auto options = options_for(*sim);
    options.shards = scanner::shards_setting{false, 0};
    auto const first = scanner::run_scan(db, options);
    REQUIRE_FALSE(first.has_value());
  }
  // A new emulator on the same address seals page tokens with a new key: the stored link is now expired.
  auto sim = start_sim(slow_tenant(port));
  auto const before = db.resumable_scan(sim->tenant_id());
  REQUIRE_OK(before);
  REQUIRE(before->has_value());
  scan_id = (*before)->scan_id;
  auto options = options_for(*sim);
  options.shards = scanner::shards_setting{false, 0};
  options.resume = true;
  auto const resumed = scanner::run_scan(db, options);
  REQUIRE_OK(resumed);
  CHECK(resumed->scan_id == scan_id);
  auto const truth = served(6000, 9);
  auto const got = stored(db, scan_id);
  CHECK(got.user_rows == 6000);
  CHECK(got.users == truth.users);
  CHECK(got.licenses == truth.licenses);
}

TEST_CASE("--resume without an interrupted scan starts a new one") {
  graphsim::sim_options sim_options;
  sim_options.users = 20;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto options = options_for(*sim);
  options.resume = true;
  auto const summary = scanner::run_scan(db, options);
  REQUIRE_OK(summary);
  CHECK_FALSE(summary->resumed);
  CHECK(summary->users == 20);
}
