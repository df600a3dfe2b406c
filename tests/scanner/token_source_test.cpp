#include "scanner/detail/token_source.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("an hour-long token is renewed five minutes before it expires") {
  auto const t0 = std::chrono::steady_clock::time_point{} + 1000s;
  CHECK(scanner::renewal_time(t0, 3599s) == t0 + 3299s);
}

TEST_CASE("a short-lived token is renewed at 80% of its lifetime, never before use") {
  auto const t0 = std::chrono::steady_clock::time_point{} + 1000s;
  CHECK(scanner::renewal_time(t0, 2s) == t0 + 1600ms);
  CHECK(scanner::renewal_time(t0, 600s) == t0 + 480s);
  CHECK(scanner::renewal_time(t0, 1s) > t0);
}
