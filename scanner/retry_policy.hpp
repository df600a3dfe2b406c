// scanner/retry_policy.hpp — when to retry a Graph request and how long to wait (pure, unit-tested).
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

// Parses an HTTP-date (IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"), as Retry-After and Date carry it.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value);

// Parses a Retry-After value: delta-seconds, possibly fractional ("2.128"), or an HTTP-date relative to now.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// The wait before attempt number `attempt` (1 = first retry) after a transient failure: Retry-After when the
// server gave one (capped at max_wait), else full-jitter exponential back-off from base (500 ms) up to 30 s.
std::chrono::milliseconds backoff_delay(int attempt, std::optional<std::chrono::milliseconds> retry_after,
                                        std::mt19937_64& rng,
                                        std::chrono::milliseconds base = std::chrono::milliseconds{500});

// True if an HTTP status is worth retrying (429, 500, 502, 503, 504).
bool is_retryable_status(unsigned status);

}  // namespace scanner
