// scanner/detail/progress.hpp — the scan's progress line on stderr (only when it is a terminal, unless forced).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace scanner {

// What the line shows.
struct progress_counts {
  std::int64_t users = 0;
  std::int64_t pages = 0;
  std::int64_t requests = 0;
  std::int64_t throttled = 0;
  std::optional<std::int64_t> total_users;  // @odata.count, when known: gives a percentage and an ETA
};

// Formats one progress line, e.g. "users 12,000 / 100,000 (12%) · pages 13 · requests 16 · 429s 0 · 3.1 s · ETA 22 s".
std::string format_progress(const progress_counts& c, std::chrono::duration<double> elapsed);

class progress_meter {
 public:
  // enabled: whether to draw at all (decided by the caller from --progress and isatty); out is usually stderr.
  progress_meter(bool enabled, std::FILE* out = stderr);
  ~progress_meter();
  progress_meter(const progress_meter&) = delete;
  progress_meter& operator=(const progress_meter&) = delete;

  bool enabled() const { return enabled_; }
  // Redraws the line in place, at most a few times per second.
  void update(const progress_counts& c);
  // Draws the final state and ends the line.
  void finish(const progress_counts& c);

 private:
  void draw(const progress_counts& c);

  bool enabled_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace scanner
