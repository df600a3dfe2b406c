#include "app/options.hpp"

#include <fmt/core.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace app {

void add_common_options(CLI::App& cmd, common_options& o) {
  cmd.add_option("--db", o.db, "SQLite database file (default ./entra-audit.db, env ENTRA_AUDIT_DB)");
  cmd.add_option("--log-format", o.log_format, "log records as text or json")->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--progress", o.progress, "progress on stderr: auto (when a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd.add_flag("--quiet,-q", o.quiet, "only errors on stderr");
  cmd.add_flag("--verbose,-v", o.verbose, "debug records on stderr");
}

std::string database_path(const common_options& o) {
  if (!o.db.empty()) return o.db;
  if (char const* env = std::getenv("ENTRA_AUDIT_DB"); env != nullptr && *env != '\0') return env;
  return "entra-audit.db";
}

base::result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view flag,
                                                       std::chrono::milliseconds max) {
  using std::chrono::milliseconds;
  std::int64_t value = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view const unit = text.substr(static_cast<std::size_t>(end - text.data()));
  std::int64_t scale = 0;  // milliseconds per unit
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  bool const ok = ec == std::errc() && end != text.data() && scale != 0 && value > 0 && value <= max.count() / scale;
  if (!ok)
    return base::usage_error(
        fmt::format("invalid {} '{}': expected a positive duration of at most {}h, such as "
                    "500ms, 30s or 20m",
                    flag, text.substr(0, 40), max.count() / 3'600'000));
  return milliseconds{value * scale};
}

base::result<std::uint64_t> parse_size(std::string_view text, std::string_view flag, std::uint64_t max) {
  std::uint64_t value = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view const unit = text.substr(static_cast<std::size_t>(end - text.data()));
  std::uint64_t scale = 0;  // bytes per unit
  if (unit.empty()) scale = 1;
  else if (unit == "KiB") scale = std::uint64_t{1} << 10;
  else if (unit == "MiB") scale = std::uint64_t{1} << 20;
  else if (unit == "GiB") scale = std::uint64_t{1} << 30;
  bool const ok = ec == std::errc() && end != text.data() && scale != 0 && value <= max / scale;
  if (!ok)
    return base::usage_error(fmt::format(
        "invalid {} '{}': expected a whole number of bytes of at most {} GiB, alone or with KiB, MiB or GiB, such as "
        "512MiB or 2GiB",
        flag, text.substr(0, 40), max >> 30));
  return value * scale;
}

void add_timeout_option(CLI::App& cmd, std::chrono::milliseconds& timeout) {
  // Above an hour a timeout only delays the report of a dead connection.
  constexpr std::chrono::milliseconds max_network_timeout = std::chrono::hours{1};
  cmd.add_option_function<std::string>(
      "--timeout",
      [&timeout](const std::string& text) {
        auto parsed = parse_duration(text, "--timeout", max_network_timeout);
        if (!parsed) throw CLI::ValidationError(parsed.error().message);
        timeout = *parsed;
      },
      "network timeout of each attempt's connect, write and read, e.g. 30s or 500ms (default 60s)");
}

int fail(base::error const& e) {
  base::print_outcome(base::log_level::error, e.message);
  return static_cast<int>(e.code);
}

void preconfigure_log_format(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view const arg = argv[i];
    if (arg == "--") break;
    bool const json = arg == "--log-format=json" ||
                      (arg == "--log-format" && i + 1 < argc && std::string_view(argv[i + 1]) == "json");
    if (json) base::set_log_format(base::log_format::json);
  }
}

void configure_logging(const common_options& o) {
  auto const level = o.quiet ? base::log_level::error : o.verbose ? base::log_level::debug : base::log_level::info;
  base::configure_log(level, o.log_format == "json" ? base::log_format::json : base::log_format::text);
}

}  // namespace app
