// graphsim/detail/throttle.hpp — the identity-service token bucket of docs/graph.md §8: resource units refilled
// continuously at PER_10S / 10 s up to PER_10S, and what each request costs.
#pragma once

#include <chrono>
#include <string>

namespace graphsim {

// The cost table of docs/graph.md §8 (users 2, subscribedSkus 3, licenseDetails 2, others 1; $select −1,
// $top < 20 −1; minimum 1).
enum class cost_class { users_list, subscribed_skus, license_details, other };
unsigned request_cost(cost_class c, bool has_select, bool top_below_20);

class throttle_bucket {
 public:
  using clock = std::chrono::steady_clock;
  // per_10s = 0 turns throttling off (every take() succeeds).
  throttle_bucket(double per_10s, clock::time_point now);

  // Debits cost and returns 0 if the bucket holds enough; otherwise debits nothing and returns the seconds
  // until it will (Retry-After). Refused requests cost nothing, so Retry-After stays exact.
  double take(double cost, clock::time_point now);
  // The share of the budget in use (0 = full bucket, 1 = empty); 0 when throttling is off.
  double used_fraction() const;

 private:
  void refill(clock::time_point now);
  double capacity_;
  double rate_per_s_;
  double tokens_;
  clock::time_point last_;
};

// Retry-After text: whole seconds when whole, else up to three decimals (Graph sends e.g. "2.128").
std::string format_retry_after(double seconds);

}  // namespace graphsim
