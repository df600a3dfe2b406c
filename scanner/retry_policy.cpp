#include "scanner/retry_policy.hpp"

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

}  // namespace scanner
