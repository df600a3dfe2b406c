#include "scanner/detail/ru_pacer.hpp"

#include <algorithm>
#include <charconv>

namespace scanner {
namespace {

using seconds_d = std::chrono::duration<double>;

// Graph warns from 0.8 on; up to 0.9 its bucket still holds a tenth of the budget, which is where we want to
// run. Past 0.9 it is draining towards empty, past 0.95 a few batches in flight can empty it.
constexpr double hold_from = 0.8;
constexpr double ease_from = 0.9;
constexpr double brake_from = 0.95;
constexpr double ease_factor = 0.9;
constexpr double brake_factor = 0.75;
constexpr double throttled_factor = 0.5;
// Once the budget is measured, run a little under it so that Graph's bucket refills slowly back out of the top.
constexpr double calibrated_share = 0.9;
// Costs move slowly (they depend on the query, not on load): a new value counts for a fifth.
constexpr double cost_weight = 0.2;

std::optional<double> number(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  std::string_view s = *text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  double value = 0;
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

ru_feedback read_ru_feedback(unsigned status, std::optional<std::string_view> resource_unit,
                             std::optional<std::string_view> limit_percentage) {
  return {number(resource_unit), number(limit_percentage), status == 429};
}

ru_pacer::ru_pacer(settings s, clock::time_point now)
    : settings_(s),
      rate_per_s_(std::max(s.start_per_10s, s.floor_per_10s) / 10),
      tokens_(0),
      cost_per_item_(s.cost_per_item),
      last_refill_(now),
      last_growth_(now) {
  tokens_ = capacity();
}

ru_pacer::ru_pacer(double start_per_10s, clock::time_point now)
    : ru_pacer(settings{.start_per_10s = start_per_10s}, now) {}

double ru_pacer::capacity() const { return rate_per_s_ * settings_.burst_seconds; }

void ru_pacer::refill(clock::time_point now) {
  if (now <= last_refill_) return;
  tokens_ = std::min(capacity(), tokens_ + seconds_d(now - last_refill_).count() * rate_per_s_);
  last_refill_ = now;
}

ru_pacer::clock::time_point ru_pacer::next_send(clock::time_point now) {
  refill(now);
  if (tokens_ >= 0) return now;
  held_back_ = true;
  return now + std::chrono::duration_cast<clock::duration>(seconds_d(-tokens_ / rate_per_s_));
}

void ru_pacer::reserve(double ru, clock::time_point now) {
  refill(now);
  tokens_ -= ru;
}

void ru_pacer::cut(double factor, clock::time_point now) {
  // Answers to requests sent before the last cut still carry the warning that caused it: within the cooldown
  // only a stronger signal cuts further, and only by what it asks beyond the last cut.
  if (last_cut_ && now - last_cut_->at < settings_.cooldown) {
    if (factor >= last_cut_->factor) return;
    rate_per_s_ *= factor / last_cut_->factor;
  } else {
    rate_per_s_ *= factor;
  }
  rate_per_s_ = std::max(rate_per_s_, settings_.floor_per_10s / 10);
  tokens_ = std::min(tokens_, capacity());
  last_cut_ = cut_mark{now, factor};
  last_growth_ = now;
  held_back_ = false;
}

bool ru_pacer::calibrate(const ru_feedback& f, clock::time_point now) {
  if (!f.throttled && f.charged_ru) charged_ += *f.charged_ru;
  if (f.throttled) return false;  // a 429 says nothing about the bucket's level
  if (!f.used_fraction) {
    anchor_.reset();
    last_used_.reset();
    return false;
  }
  double const used = *f.used_fraction;
  bool const first = !last_used_;
  bool const rose = last_used_ && used > *last_used_;
  bool const fell = last_used_ && used < *last_used_;
  last_used_ = used;
  if (fell) anchor_.reset();  // the level is somewhere inside its reported step now: no exact start to measure from
  if (!first && !rose) return false;
  // The reported level just stepped up, so the bucket is just past that level: between two such steps, Graph
  // took in what we were charged less what it refilled, and its bucket holds 10 s of its rate (docs/graph.md §8):
  //   10 s × rate × (used₂ − used₁) = charged − rate × Δt   ⇒   rate = charged / (Δt + 10 s × (used₂ − used₁)).
  // A coarser report (Graph's 0.1 steps) overstates the step and so understates the rate: the safe side.
  bool lowered = false;
  if (anchor_ && rose) {
    double const dt = seconds_d(now - anchor_->at).count();
    double const budget_rate = (charged_ - anchor_->charged) / (dt + 10 * (used - anchor_->used));
    double const target = std::max(calibrated_share * budget_rate, settings_.floor_per_10s / 10);
    if (target < rate_per_s_) {
      rate_per_s_ = target;
      tokens_ = std::min(tokens_, capacity());
      // It counts as a hard cut: answers already in flight carry the same warning and must not cut again.
      last_cut_ = cut_mark{now, brake_factor};
      last_growth_ = now;
      held_back_ = false;
      lowered = true;
    }
  }
  anchor_ = level_mark{now, charged_, used};
  return lowered;
}

void ru_pacer::observe(const ru_feedback& f, clock::time_point now) {
  // A refused request's x-ms-resource-unit (if any) says what it would have cost, which is still its cost.
  if (f.charged_ru && *f.charged_ru > 0)
    cost_per_item_ = (1 - cost_weight) * cost_per_item_ + cost_weight * *f.charged_ru;
  if (calibrate(f, now)) return;  // measured beats guessed: no multiplicative cut on top

  if (f.throttled) return cut(throttled_factor, now);
  if (f.used_fraction && *f.used_fraction > brake_from) return cut(brake_factor, now);
  if (f.used_fraction && *f.used_fraction >= ease_from) return cut(ease_factor, now);
  if (f.used_fraction && *f.used_fraction >= hold_from) {
    last_growth_ = now;  // in the band we aim for: stay
    held_back_ = false;
    return;
  }
  // No warning: grow, but only if our own bucket is what held the sender back (otherwise the rate is not
  // what limits the scan, and growing it would only allow a burst later). At most a second counts, so a long
  // quiet gap (a page being stored) does not turn into a jump.
  if (held_back_) {
    double const dt = std::min(seconds_d(now - last_growth_).count(), 1.0);
    if (dt > 0) {
      double const ceiling = settings_.start_per_10s * settings_.ceiling_factor / 10;
      rate_per_s_ = std::min(ceiling, rate_per_s_ + settings_.increase_per_s * settings_.start_per_10s / 10 * dt);
    }
  }
  last_growth_ = now;
  held_back_ = false;
}

}  // namespace scanner
