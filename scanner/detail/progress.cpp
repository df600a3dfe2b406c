#include "scanner/detail/progress.hpp"

#include "base/log.hpp"

#include <fmt/format.h>

namespace scanner {
namespace {

// Redrawing more often than this only costs terminal bandwidth.
constexpr std::chrono::milliseconds redraw_interval{250};
// Under --log-format json the line is a record, not a redraw: one every few seconds is enough for a log.
constexpr std::chrono::milliseconds record_interval{5000};

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

std::string format_progress(const progress_counts& c, std::chrono::duration<double> elapsed) {
  std::string line = "users " + grouped(c.users);
  double const seconds = elapsed.count();
  std::string eta;
  if (c.total_users && *c.total_users > 0) {
    auto const total = *c.total_users;
    auto const percent = std::min<std::int64_t>(100, c.users * 100 / total);
    line += fmt::format(" / {} ({}%)", grouped(total), percent);
    if (c.users > 0 && c.users < total && seconds > 0) {
      double const rate = static_cast<double>(c.users) / seconds;
      eta = fmt::format(" · ETA {:.0f} s", static_cast<double>(total - c.users) / rate);
    }
  }
  line += fmt::format(" · pages {} · requests {} · 429s {} · {:.1f} s{}", grouped(c.pages), grouped(c.requests),
                      grouped(c.throttled), seconds, eta);
  return line;
}

progress_meter::progress_meter(bool enabled, std::FILE* out)
    : enabled_(enabled), out_(out), started_(std::chrono::steady_clock::now()) {}

progress_meter::~progress_meter() {
  // A line left without its newline would glue the next log record to it.
  if (drawn_) std::fputc('\n', out_);
}

void progress_meter::update(const progress_counts& c) {
  if (!enabled_) return;
  auto const now = std::chrono::steady_clock::now();
  bool const records = base::current_log_format() == base::log_format::json;
  bool const shown = last_draw_ != std::chrono::steady_clock::time_point{};
  if (shown && now - last_draw_ < (records ? record_interval : redraw_interval)) return;
  last_draw_ = now;
  draw(c);
}

void progress_meter::finish(const progress_counts& c) {
  if (!enabled_) return;
  draw(c);
  if (drawn_) std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

void progress_meter::draw(const progress_counts& c) {
  auto const line = format_progress(c, std::chrono::steady_clock::now() - started_);
  if (base::current_log_format() == base::log_format::json) {
    // Every stderr line is JSON then (docs/security.md): a record, no carriage return, no escape sequence.
    base::log(base::log_level::info, "progress: {}", line);
    return;
  }
  // \r and "erase to end of line" redraw in place.
  std::fprintf(out_, "\r%s\x1b[K", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace scanner
