#include "scanner/detail/retry_policy.hpp"

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
  for (int attempt = 1; attempt <= 6; ++attempt)
    CHECK(scanner::backoff_delay(attempt, std::nullopt, rng, 5ms) <= 160ms);
  CHECK(scanner::backoff_delay(1, 2000ms, rng, 5ms) == 2000ms);  // Retry-After still wins
}

namespace {

using scanner::attempt_facts;
using scanner::retry_action;
using scanner::retry_end;

attempt_facts answered(unsigned status, std::optional<std::chrono::milliseconds> retry_after = std::nullopt) {
  return {.got = attempt_facts::kind::answered, .status = status, .retry_after = retry_after};
}

attempt_facts transport(bool retryable, bool cancelled = false) {
  return {.got = attempt_facts::kind::transport_failed, .retryable = retryable, .cancelled = cancelled};
}

constexpr scanner::retry_limits no_deadline{.backoff_base = 500ms, .deadline_left = std::nullopt};

// One request's attempts, decided one after the other.
struct request {
  std::mt19937_64 rng{1};
  scanner::retry_counters counters;
  scanner::retry_decision decide(const attempt_facts& attempt, const scanner::retry_limits& limits = no_deadline) {
    return scanner::decide_retry(attempt, counters, limits, rng);
  }
};

// Checks that decision fails the request, its retries ended for the reason ended.
void check_fails(const scanner::retry_decision& decision, retry_end ended) {
  CHECK(decision.action == retry_action::fail);
  CHECK(decision.ended == ended);
}

}  // namespace

TEST_CASE("a 2xx is delivered, a redirect is refused, never followed") {
  request r;
  CHECK(r.decide(answered(200)).action == retry_action::deliver);
  CHECK(r.decide(answered(204)).action == retry_action::deliver);
  CHECK(r.decide(answered(302)).action == retry_action::refuse_redirect);
  CHECK(r.counters.failures == 0);
}

TEST_CASE("a first 401 renews the token, and a second is believed") {
  request r;
  CHECK(r.decide(answered(401)).action == retry_action::renew_token);
  CHECK(r.counters.renewed);
  check_fails(r.decide(answered(401)), retry_end::refused);
}

TEST_CASE("a status not worth retrying fails at once") {
  for (unsigned status : {400u, 403u, 404u, 501u}) {
    request r;
    check_fails(r.decide(answered(status)), retry_end::refused);
  }
}

TEST_CASE("a cancelled attempt is abandoned, a transport failure is retried only when retryable") {
  request r;
  CHECK(r.decide(transport(true, true)).action == retry_action::abandon);
  check_fails(r.decide(transport(false)), retry_end::refused);
  CHECK(r.counters.failures == 0);
  auto const retried = r.decide(transport(true));
  CHECK(retried.action == retry_action::retry);
  CHECK_FALSE(retried.throttled);
  CHECK_FALSE(retried.pause_all);
  CHECK(retried.next_attempt == 2);
  CHECK(retried.wait <= 500ms);
}

TEST_CASE("transient failures back off until max_attempts are used, a failed body check among them") {
  request r;
  attempt_facts const bad_body{.got = attempt_facts::kind::body_refused, .status = 200};
  for (int attempt = 1; attempt < scanner::max_attempts; ++attempt) {
    auto const decision = r.decide(attempt % 2 ? answered(503) : bad_body);
    REQUIRE(decision.action == retry_action::retry);
    CHECK(decision.next_attempt == attempt + 1);
    CHECK_FALSE(decision.pause_all);
  }
  check_fails(r.decide(answered(500)), retry_end::out_of_attempts);
}

TEST_CASE("Retry-After on a 429 or 503 is waited (capped) by every request, not counted against max_attempts") {
  request r;
  auto const first = r.decide(answered(429, 7000ms));
  CHECK(first.action == retry_action::retry);
  CHECK(first.throttled);
  CHECK(first.pause_all);
  CHECK(first.wait == 7000ms);
  CHECK(first.throttled_waits == 1);
  auto const capped = r.decide(answered(503, 3'600'000ms));
  CHECK(capped.wait == scanner::max_wait);
  CHECK(capped.throttled_waits == 2);
  CHECK(r.counters.failures == 0);
}

TEST_CASE("a 429 without Retry-After backs off as a failure and slows every request") {
  request r;
  auto const decision = r.decide(answered(429));
  CHECK(decision.action == retry_action::retry);
  CHECK_FALSE(decision.throttled);
  CHECK(decision.pause_all);
  CHECK(r.counters.failures == 1);
}

TEST_CASE("without --deadline, throttling is waited at most max_throttled_waits times in a row") {
  request r;
  for (int wait = 1; wait <= scanner::max_throttled_waits; ++wait)
    REQUIRE(r.decide(answered(429, 1000ms)).action == retry_action::retry);
  auto const ended = r.decide(answered(429, 1000ms));
  check_fails(ended, retry_end::throttled_too_long);
  CHECK(ended.throttled_waits == scanner::max_throttled_waits);
}

TEST_CASE("with --deadline, throttling is waited until the deadline, which ends the retries before it passes") {
  request r;
  r.counters.throttled_waits = scanner::max_throttled_waits;
  scanner::retry_limits const hour{.backoff_base = 500ms, .deadline_left = std::chrono::hours(1)};
  CHECK(r.decide(answered(429, 1000ms), hour).action == retry_action::retry);
  scanner::retry_limits const second{.backoff_base = 500ms, .deadline_left = std::chrono::seconds(1)};
  auto const ended = r.decide(answered(503, 2000ms), second);
  check_fails(ended, retry_end::past_deadline);
  CHECK(ended.pause_all);  // the others still wait what Graph asked
  CHECK(ended.wait == 2000ms);
}
