// scanner/detail/concurrency.hpp — how many $batch requests may be in flight: halved on throttling, regained slowly.
#pragma once

namespace scanner {

// AIMD limit (TCP's idea): a 429 halves it at once, and each streak of `current()` successes in a row adds one,
// up to the configured ceiling. Pure: the batch loop reports outcomes, this decides.
class adaptive_limit {
 public:
  // Starts at ceiling (at least 1).
  explicit adaptive_limit(unsigned ceiling);

  // How many requests may be in flight now (1..ceiling).
  unsigned current() const { return current_; }
  unsigned ceiling() const { return ceiling_; }

  // A request was answered (or had items answered) 429/503: halve the limit (never below 1) and restart the streak.
  void on_throttled();
  // A request succeeded without throttling: lengthen the streak; a streak of current() raises the limit by one.
  void on_success();

 private:
  unsigned ceiling_;
  unsigned current_;
  unsigned streak_ = 0;
};

}  // namespace scanner
