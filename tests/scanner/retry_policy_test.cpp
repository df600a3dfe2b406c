#include "scanner/retry_policy.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("a 429 with Retry-After delays the retry by that many seconds") {
  std::mt19937_64 rng{1};
  auto const wait = scanner::parse_retry_after("7", std::chrono::system_clock::now());
  REQUIRE(wait);
  CHECK(scanner::backoff_delay(1, wait, rng) == 7000ms);
}

TEST_CASE("a fractional Retry-After is rounded up to the millisecond") {
  auto const wait = scanner::parse_retry_after("2.128", std::chrono::system_clock::now());
  REQUIRE(wait);
  CHECK(*wait == 2128ms);
}

TEST_CASE("an HTTP-date Retry-After waits until that time") {
  auto const now = std::chrono::system_clock::from_time_t(1445412470);  // 2015-10-21 07:27:50 UTC
  auto const wait = scanner::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now);
  REQUIRE(wait);
  CHECK(*wait == 10000ms);
}

TEST_CASE("a garbled Retry-After is ignored") {
  CHECK_FALSE(scanner::parse_retry_after("soon", std::chrono::system_clock::now()));
  CHECK_FALSE(scanner::parse_retry_after("-3", std::chrono::system_clock::now()));
  CHECK_FALSE(scanner::parse_retry_after("", std::chrono::system_clock::now()));
}

TEST_CASE("a Retry-After longer than the cap waits only the cap") {
  std::mt19937_64 rng{1};
  CHECK(scanner::backoff_delay(1, std::chrono::milliseconds(3'600'000), rng) == scanner::max_wait);
}

TEST_CASE("back-off without Retry-After grows with the attempt and stays under 30 s") {
  std::mt19937_64 rng{1};
  auto const first = scanner::backoff_delay(1, std::nullopt, rng);
  CHECK(first >= 250ms);
  CHECK(first <= 500ms);
  for (int attempt = 1; attempt < 20; ++attempt) CHECK(scanner::backoff_delay(attempt, std::nullopt, rng) <= 30s);
  CHECK(scanner::backoff_delay(8, std::nullopt, rng) >= 15s);
}

TEST_CASE("only throttling and server errors are retryable statuses") {
  for (unsigned s : {429u, 500u, 502u, 503u, 504u}) CHECK(scanner::is_retryable_status(s));
  for (unsigned s : {200u, 400u, 401u, 403u, 404u, 501u}) CHECK_FALSE(scanner::is_retryable_status(s));
}

TEST_CASE("a smaller back-off base scales the whole schedule down") {
  std::mt19937_64 rng{1};
  for (int attempt = 1; attempt <= 6; ++attempt) CHECK(scanner::backoff_delay(attempt, std::nullopt, rng, 5ms) <= 160ms);
  CHECK(scanner::backoff_delay(1, 2000ms, rng, 5ms) == 2000ms);  // Retry-After still wins
}
