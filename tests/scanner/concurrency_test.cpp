#include "scanner/detail/concurrency.hpp"

#include <doctest/doctest.h>

TEST_CASE("the concurrency limit starts at its ceiling and halves on each throttle, never below one") {
  scanner::adaptive_limit limit(8);
  CHECK(limit.current() == 8);
  limit.on_throttled();
  CHECK(limit.current() == 4);
  limit.on_throttled();
  limit.on_throttled();
  CHECK(limit.current() == 1);
  limit.on_throttled();
  CHECK(limit.current() == 1);
}

TEST_CASE("the concurrency limit climbs back by one per streak of successes, up to the ceiling") {
  scanner::adaptive_limit limit(4);
  limit.on_throttled();
  limit.on_throttled();
  REQUIRE(limit.current() == 1);
  limit.on_success();  // a streak of 1 at width 1
  CHECK(limit.current() == 2);
  limit.on_success();
  CHECK(limit.current() == 2);
  limit.on_success();  // a streak of 2 at width 2
  CHECK(limit.current() == 3);
  for (int i = 0; i < 100; ++i) limit.on_success();
  CHECK(limit.current() == 4);
}

TEST_CASE("a throttle in the middle of a streak restarts it") {
  scanner::adaptive_limit limit(8);
  limit.on_throttled();  // 4
  limit.on_success();
  limit.on_success();
  limit.on_success();
  limit.on_throttled();  // 2, streak lost
  limit.on_success();
  CHECK(limit.current() == 2);
  limit.on_success();
  CHECK(limit.current() == 3);
}

TEST_CASE("a ceiling of zero is treated as one") {
  scanner::adaptive_limit limit(0);
  CHECK(limit.current() == 1);
  CHECK(limit.ceiling() == 1);
}
