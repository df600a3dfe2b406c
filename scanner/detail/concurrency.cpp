#include "scanner/detail/concurrency.hpp"

#include <algorithm>

namespace scanner {

adaptive_limit::adaptive_limit(unsigned ceiling) : ceiling_(std::max(1u, ceiling)), current_(ceiling_) {}

void adaptive_limit::on_throttled() {
  current_ = std::max(1u, current_ / 2);
  streak_ = 0;
}

void adaptive_limit::on_success() {
  if (current_ >= ceiling_) return;
  // Waiting for a whole window of successes at the current width keeps the climb linear and slow.
  if (++streak_ >= current_) {
    ++current_;
    streak_ = 0;
  }
}

}  // namespace scanner
