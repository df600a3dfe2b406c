// base/log.hpp — one-line log records on stderr, as text or JSON (--log-format), filtered by level.
//
// Every record, and every closing line, passes through base::redact: a registered secret never reaches stderr
// (docs/security.md). Still, never pass a token, secret, client assertion or Authorization header on purpose.
#pragma once

#include <fmt/core.h>

#include <string_view>

namespace base {

enum class log_level { debug, info, warn, error };
enum class log_format { text, json };

// Sets the minimum level written and the record format (process-wide; call once from main).
void configure_log(log_level min_level, log_format format);

// Sets only the record format (main does it before parsing, so that usage errors follow --log-format json).
void set_log_format(log_format format);

// The record format in use.
log_format current_log_format();

// True if a record at this level would be written.
bool log_enabled(log_level level);

// Writes one record (type-erased, fmt's vformat idea: the template below forwards here).
void vlog(log_level level, std::string_view message);

// Formats and writes one record, e.g. log(log_level::info, "stored page {} ({} users)", n, users).
template <class... Args>
void log(log_level level, fmt::format_string<Args...> format, Args&&... args) {
  if (!log_enabled(level)) return;
  vlog(level, fmt::format(format, std::forward<Args>(args)...));
}

// Writes a command's closing line whatever the level filter: its error, or the summary of what it did. As text
// "entra-audit: <message>"; under --log-format json one record like those of vlog.
void print_outcome(log_level level, std::string_view message);

}  // namespace base
