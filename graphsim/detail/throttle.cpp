#include "graphsim/detail/throttle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace graphsim {

unsigned request_cost(cost_class c, bool has_select, bool top_below_20) {
  int cost = 1;
  switch (c) {
    case cost_class::users_list:
      cost = 2;
      break;
    case cost_class::subscribed_skus:
      cost = 3;
      break;
    case cost_class::license_details:
      cost = 2;
      break;
    case cost_class::other:
      cost = 1;
      break;
  }
  if (has_select) --cost;
  if (top_below_20) --cost;
  return static_cast<unsigned>(std::max(cost, 1));
}

throttle_bucket::throttle_bucket(double per_10s, clock::time_point now)
    : capacity_(per_10s), rate_per_s_(per_10s / 10.0), tokens_(per_10s), last_(now) {}

void throttle_bucket::refill(clock::time_point now) {
  if (now <= last_) return;
  double const elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_per_s_);
  last_ = now;
}

double throttle_bucket::take(double cost, clock::time_point now) {
  if (capacity_ <= 0) return 0;
  refill(now);
  // A request costing more than the whole bucket could never pass: let it through once the bucket is full.
  double const needed = std::min(cost, capacity_);
  if (tokens_ >= needed) {
    tokens_ -= needed;
    return 0;
  }
  return (needed - tokens_) / rate_per_s_;
}

double throttle_bucket::used_fraction() const {
  if (capacity_ <= 0) return 0;
  return 1.0 - tokens_ / capacity_;
}

std::string format_retry_after(double seconds) {
  // Round up to the millisecond so that waiting exactly this long always finds enough tokens.
  double const ms = std::ceil(seconds * 1000.0);
  auto const whole = static_cast<long long>(ms);
  if (whole % 1000 == 0) return std::to_string(std::max(whole / 1000, 1LL));
  std::string text = fmt::format("{}.{:03}", whole / 1000, whole % 1000);
  while (text.back() == '0') text.pop_back();
  return text;
}

}  // namespace graphsim
