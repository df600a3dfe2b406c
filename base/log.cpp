#include "base/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace base {
namespace {

log_level g_min_level = log_level::info;
log_format g_format = log_format::text;

std::string_view level_name(log_level level) {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace

void configure_log(log_level min_level, log_format format) {
  g_min_level = min_level;
  g_format = format;
}

bool log_enabled(log_level level) { return level >= g_min_level; }

void vlog(log_level level, std::string_view message) {
  auto const now = std::chrono::system_clock::now();
  std::time_t const t = std::chrono::system_clock::to_time_t(now);
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string line;
  if (g_format == log_format::json) {
    line = fmt::format("{{\"time\":\"{}.{:03}Z\",\"level\":\"{}\",\"message\":", stamp, ms, level_name(level));
    append_json_string(line, message);
    line += "}\n";
  } else {
    line = fmt::format("{}.{:03}Z {} {}\n", stamp, ms, level_name(level), message);
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace base
