#include "base/log.hpp"

#include "base/redact.hpp"
#include "base/utf8.hpp"

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
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warn:
      return "warn";
    case log_level::error:
      return "error";
  }
  return "info";
}

// A JSON string: controls escaped, and an invalid UTF-8 byte (server text) written as U+FFFD so that every record
// parses.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    std::size_t const n = utf8_sequence_length(s, i);
    auto const c = static_cast<unsigned char>(s[i]);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
    i += n;
  }
  out += '"';
}

// A text record stays one line, and server text cannot drive the terminal: controls become \xNN.
void append_text_line(std::string& out, std::string_view s) {
  for (char ch : s) {
    auto const c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) out += fmt::format("\\x{:02x}", c);
    else out += ch;
  }
}

void write_record(log_level level, std::string_view message, bool outcome) {
  std::string line;
  if (outcome && g_format == log_format::text) {
    line = "entra-audit: ";
    append_text_line(line, message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    return;
  }
  auto const now = std::chrono::system_clock::now();
  std::time_t const t = std::chrono::system_clock::to_time_t(now);
  auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  if (g_format == log_format::json) {
    line = fmt::format("{{\"time\":\"{}.{:03}Z\",\"level\":\"{}\",\"message\":", stamp, ms, level_name(level));
    append_json_string(line, message);
    line += "}\n";
  } else {
    line = fmt::format("{}.{:03}Z {} ", stamp, ms, level_name(level));
    append_text_line(line, message);
    line += '\n';
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void configure_log(log_level min_level, log_format format) {
  g_min_level = min_level;
  g_format = format;
}

void set_log_format(log_format format) { g_format = format; }

log_format current_log_format() { return g_format; }

bool log_enabled(log_level level) { return level >= g_min_level; }

void vlog(log_level level, std::string_view message) { write_record(level, redact(message), false); }

void print_outcome(log_level level, std::string_view message) { write_record(level, redact(message), true); }

}  // namespace base
