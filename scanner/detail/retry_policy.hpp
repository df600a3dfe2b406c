// scanner/detail/retry_policy.hpp — when to retry a Graph request and how long to wait (pure, unit-tested).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace scanner {

// Attempts for failures that are not throttling (5xx, timeouts, resets, malformed bodies).
inline constexpr int max_attempts = 6;
// No single wait is longer than this, whatever Retry-After says (docs/design.md §2.4).
inline constexpr std::chrono::milliseconds max_wait{120'000};
// Without --deadline, a request throttled this many times in a row is given up (30 × 120 s = 1 h at most), so that
// a server that never stops answering 429 cannot hold the scan forever.
inline constexpr int max_throttled_waits = 30;
// The first back-off's ceiling, doubled per failure (tests shrink it through connection_options::backoff_base).
inline constexpr std::chrono::milliseconds default_backoff_base{500};

// Parses an HTTP-date (IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"), as Retry-After and Date carry it.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value);

// Parses a Retry-After value: delta-seconds, possibly fractional ("2.128"), or an HTTP-date relative to now.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// The wait before attempt number `attempt` (1 = first retry) after a transient failure: Retry-After when the
// server gave one (capped at max_wait), else full-jitter exponential back-off from base (500 ms) up to 30 s.
std::chrono::milliseconds backoff_delay(int attempt, std::optional<std::chrono::milliseconds> retry_after,
                                        std::mt19937_64& rng, std::chrono::milliseconds base = default_backoff_base);

// True if an HTTP status is worth retrying (429, 500, 502, 503, 504).
bool is_retryable_status(unsigned status);

// What one attempt of a Graph request gave, as the retry decision needs it.
struct attempt_facts {
  enum class kind {
    answered,         // a response with status (a 2xx whose body passed its check, or any other status)
    body_refused,     // a 2xx whose body failed its check: retried as a transient failure
    transport_failed  // no response: a timeout, a reset, a refused connection, a body too large...
  };
  kind got = kind::answered;
  unsigned status = 0;                                     // answered: the HTTP status
  std::optional<std::chrono::milliseconds> retry_after{};  // answered: its Retry-After, when readable
  bool retryable = false;                                  // transport_failed: worth another attempt
  bool cancelled = false;                                  // transport_failed: a stop cancelled the attempt
};

// What the attempts of one request have used so far; decide_retry counts each attempt into it.
struct retry_counters {
  int failures = 0;         // attempts used up by 5xx, timeouts, resets and failed checks (against max_attempts)
  int throttled_waits = 0;  // 429/503 with Retry-After waited: not counted against max_attempts
  bool renewed = false;     // the token was renewed after a 401 (only once: then the 401 is believed)
};

// The bounds of one request's retries.
struct retry_limits {
  std::chrono::milliseconds backoff_base = default_backoff_base;       // first back-off ceiling, doubled per failure
  std::optional<std::chrono::steady_clock::duration> deadline_left{};  // until --deadline ends; nullopt: no --deadline
};

// What to do after an attempt.
enum class retry_action {
  deliver,          // return the response
  abandon,          // a stop cancelled it: fail as cancelled, with no retry and no warning
  refuse_redirect,  // a 3xx: fail naming where it points (a redirect is never followed with the token)
  fail,             // fail with the attempt's error; decision.ended says why the retries end
  renew_token,      // a first 401: renew the token, then try again at once
  retry,            // wait decision.wait, then try again
};

// Why a failing request is not tried again.
enum class retry_end {
  refused,             // a status or transport error not worth retrying
  throttled_too_long,  // throttled max_throttled_waits times in a row without --deadline
  out_of_attempts,     // max_attempts used by transient failures
  past_deadline,       // --deadline ends before the wait would
};

// One decision, with the facts its log line or error names.
struct retry_decision {
  retry_action action = retry_action::deliver;
  retry_end ended = retry_end::refused;  // fail only
  std::chrono::milliseconds wait{0};     // retry (and past_deadline): the wait before the next attempt
  bool pause_all = false;   // every request of the client waits too (Graph's budget is per app and tenant); set
                            // before a past_deadline failure as well
  bool throttled = false;   // retry: the wait is Retry-After's on a 429/503 (throttled_waits says how many so far)
  int throttled_waits = 0;  // retry: throttled waits in a row, this one included; throttled_too_long: those waited
  int next_attempt = 0;     // retry, not throttled: the number of the next attempt (of max_attempts)
};

// Decides what follows an attempt that gave attempt, counting it into counters; rng draws the back-off's jitter.
retry_decision decide_retry(const attempt_facts& attempt, retry_counters& counters, const retry_limits& limits,
                            std::mt19937_64& rng);

}  // namespace scanner
