#include "scanner/detail/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace scanner {

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc{} || end != value.data() + value.size() || !std::isfinite(seconds) || seconds < 0)
      return std::nullopt;
    return std::chrono::milliseconds(static_cast<long long>(std::ceil(std::min(seconds, 86400.0) * 1000.0)));
  }
  auto const when = parse_http_date(value);
  if (!when) return std::nullopt;
  auto const delta = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
  return std::max(delta, std::chrono::milliseconds{0});
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  std::tm tm{};
  std::string const text(value);
  char const* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::chrono::milliseconds backoff_delay(int attempt, std::optional<std::chrono::milliseconds> retry_after,
                                        std::mt19937_64& rng, std::chrono::milliseconds base) {
  if (retry_after) return std::min(*retry_after, max_wait);
  constexpr std::chrono::milliseconds cap{30'000};
  auto const shift = std::clamp(attempt - 1, 0, 16);
  auto const ceiling = std::min<std::chrono::milliseconds>(cap, base * (1LL << shift));
  // Full jitter spreads retries of many concurrent workers instead of synchronising them.
  std::uniform_int_distribution<long long> pick(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds{pick(rng)};
}

bool is_retryable_status(unsigned status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

retry_decision decide_retry(const attempt_facts& attempt, retry_counters& counters, const retry_limits& limits,
                            std::mt19937_64& rng) {
  unsigned status = 0;  // a failed check or a transport failure has no status worth naming
  switch (attempt.got) {
    case attempt_facts::kind::transport_failed:
      // Whoever cancelled it (a stop raced this request, scanner/detail/race.hpp) no longer waits for it, and a retry,
      // or a warning about one, would only confuse the stop.
      if (attempt.cancelled) return {.action = retry_action::abandon};
      if (!attempt.retryable) return {.action = retry_action::fail, .ended = retry_end::refused};
      break;
    case attempt_facts::kind::body_refused:
      break;
    case attempt_facts::kind::answered:
      status = attempt.status;
      if (status / 100 == 2) return {.action = retry_action::deliver};
      if (status / 100 == 3) return {.action = retry_action::refuse_redirect};
      if (status == 401 && !counters.renewed) {
        // The token may have been revoked or expired early: renew once, then believe the 401.
        counters.renewed = true;
        return {.action = retry_action::renew_token};
      }
      if (!is_retryable_status(status)) return {.action = retry_action::fail, .ended = retry_end::refused};
      break;
  }

  retry_decision decision{.action = retry_action::retry};
  decision.throttled = (status == 429 || status == 503) && attempt.retry_after.has_value();
  if (decision.throttled) {
    decision.wait = std::min(*attempt.retry_after, max_wait);
    if (++counters.throttled_waits > max_throttled_waits && !limits.deadline_left)
      return {.action = retry_action::fail,
              .ended = retry_end::throttled_too_long,
              .throttled_waits = counters.throttled_waits - 1};
    decision.pause_all = true;
  } else {
    if (++counters.failures >= max_attempts) return {.action = retry_action::fail, .ended = retry_end::out_of_attempts};
    decision.wait = backoff_delay(counters.failures, std::nullopt, rng, limits.backoff_base);
    decision.pause_all = status == 429;  // throttled without Retry-After: slow everyone down too
  }
  if (limits.deadline_left && decision.wait > *limits.deadline_left) {
    decision.action = retry_action::fail;
    decision.ended = retry_end::past_deadline;
    return decision;
  }
  decision.throttled_waits = counters.throttled_waits;
  decision.next_attempt = counters.failures + 1;
  return decision;
}

}  // namespace scanner
