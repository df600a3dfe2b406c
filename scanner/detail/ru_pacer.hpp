// scanner/detail/ru_pacer.hpp — client-side pacing of resource units (docs/graph.md §8): a token bucket on our side
// that keeps the scanner just under Graph's RU budget instead of bouncing off it with 429s.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

namespace scanner {

// The documented application+tenant RU budgets per 10 s by tenant size (docs/graph.md §8: S < 50 users, M 50–500,
// L > 500).
inline constexpr double documented_ru_small = 3'500;
inline constexpr double documented_ru_medium = 5'000;
inline constexpr double documented_ru_large = 8'000;

// What Graph said about one answered request (or $batch item).
struct ru_feedback {
  std::optional<double> charged_ru;     // x-ms-resource-unit
  std::optional<double> used_fraction;  // x-ms-throttle-limit-percentage (sent only above 0.8)
  bool throttled = false;               // answered 429
};

// Reads the throttling headers of one answer; values that are not numbers are left out.
ru_feedback read_ru_feedback(unsigned status, std::optional<std::string_view> resource_unit,
                             std::optional<std::string_view> limit_percentage);

// How fast the pacer may send, in RU per 10 s (Graph's window), and how it adapts. Pure: the caller passes the
// time, so tests drive it with a fake clock.
//
// The real budget of a tenant is unknown (it depends on its size class and on service load), so the rate starts
// from a documented limit and is corrected from the headers, AIMD style: it grows additively while Graph sends
// no warning and our own bucket is what holds the sender back; it holds while Graph reports 80–90% of the budget
// used; it is cut multiplicatively when the reported use passes 0.9, harder past 0.95 and harder still on a 429,
// at most once per cooldown, because answers to requests sent before a cut still carry the old warning. And when
// the reported level rises, how fast it rises for the RU we were charged measures Graph's rate: the pacer then
// drops to just under it at once, which matters when the start was far too high (a smaller or loaded tenant).
// Keeping Graph's bucket in that warning band is what makes us use the whole budget: while its bucket is neither
// full nor empty, everything it refills is spent and nothing is refused.
class ru_pacer {
 public:
  using clock = std::chrono::steady_clock;

  struct settings {
    double start_per_10s = documented_ru_large;
    double floor_per_10s = 100;    // never slower than this (a stalled scan learns nothing)
    double ceiling_factor = 4;     // never faster than start × this
    double burst_seconds = 0.25;   // our bucket holds this much of the rate: small bursts only
    double increase_per_s = 0.02;  // growth per second without warnings, as a share of the start rate
    double cost_per_item = 1;      // first guess of one request's cost (licenseDetails with $select)
    std::chrono::milliseconds cooldown{500};
  };

  // A pacer at settings.start_per_10s whose bucket holds one burst at now.
  ru_pacer(settings s, clock::time_point now);
  // A pacer with the default settings at start_per_10s.
  ru_pacer(double start_per_10s, clock::time_point now);

  // When the next request may be sent: now if our bucket is not in debt, else when it will be.
  clock::time_point next_send(clock::time_point now);
  // Takes ru from our bucket for a request being sent now (it may go into debt: the next one waits).
  void reserve(double ru, clock::time_point now);
  // The RU that items requests are expected to cost, from the costs Graph has charged so far.
  double estimate(std::size_t items) const { return cost_per_item_ * static_cast<double>(items); }
  // Adapts the rate and the cost estimate to what Graph said about one answered request.
  void observe(const ru_feedback& f, clock::time_point now);

  // The current rate in RU per 10 s.
  double rate_per_10s() const { return rate_per_s_ * 10; }
  // The learned cost of one request.
  double cost_per_item() const { return cost_per_item_; }

 private:
  void refill(clock::time_point now);
  void cut(double factor, clock::time_point now);
  // Measures Graph's rate from the reported level; true if that lowered ours.
  bool calibrate(const ru_feedback& f, clock::time_point now);
  double capacity() const;

  settings settings_;
  double rate_per_s_;
  double tokens_;
  double cost_per_item_;
  clock::time_point last_refill_;
  clock::time_point last_growth_;
  struct cut_mark {
    clock::time_point at;
    double factor;
  };
  std::optional<cut_mark> last_cut_;
  // Measuring Graph's rate from how fast its reported level rises (see calibrate()).
  struct level_mark {
    clock::time_point at;
    double charged;
    double used;
  };
  double charged_ = 0;  // RU Graph has charged us so far
  std::optional<double> last_used_;
  std::optional<level_mark> anchor_;
  bool held_back_ = false;  // a sender waited on our bucket since the last growth: the rate is what limits us
};

}  // namespace scanner
