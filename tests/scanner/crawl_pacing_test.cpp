#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace scanner_test;

TEST_CASE("a fetch scan paced from the default start settles under a smaller RU budget with under 1% of 429s") {
  graphsim::sim_options sim_options;
  sim_options.users = 3'000;
  sim_options.seed = 5;
  // Well under the 8,000 the pacer starts from, so that it must learn the budget from the headers; small enough
  // that the licenseDetails items outlast the full bucket the emulator starts with.
  sim_options.throttle_ru = 2'000;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);

  auto const summary = scanner::run_scan(db, options_for(*sim, scanner::license_details_mode::fetch));
  REQUIRE_OK(summary);
  auto const use = budget_used(*sim);
  MESSAGE("429s " << use.throttled << " of " << use.requests << " requests, " << use.ru_charged << " RU charged in "
                  << summary->elapsed_s << " s");
  // The scan spent more than the bucket held at the start: it ran against the refill, where pacing matters.
  CHECK(use.ru_charged > 2'000);
  CHECK(use.throttled * 100 < use.requests);
  CHECK(summary->throttled == use.throttled);
  // Nothing was lost to the pacing: the same plan rows as an unthrottled fetch scan of the same tenant.
  CHECK(stored(db, summary->scan_id).plans == unthrottled_fetched_plans(sim_options));
}
