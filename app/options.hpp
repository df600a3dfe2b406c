// app/options.hpp — the options every subcommand shares (docs/design.md §2.2) and how they are registered.
#pragma once

#include "base/error.hpp"
#include "base/log.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace app {

struct common_options {
  std::string db;  // --db, else ENTRA_AUDIT_DB, else ./entra-audit.db
  std::string log_format = "text";
  std::string progress = "auto";
  bool quiet = false;
  bool verbose = false;
};

// Adds --db, --log-format, --progress, --quiet and --verbose to a subcommand.
void add_common_options(CLI::App& cmd, common_options& o);

// The database path after flags and environment: --db, ENTRA_AUDIT_DB, ./entra-audit.db.
std::string database_path(const common_options& o);

// Applies --log-format/--quiet/--verbose to the process-wide logger.
void configure_logging(const common_options& o);

// Parses a duration such as 500ms, 30s, 90m, 2h (a bare number is seconds); zero, negative, unknown units and values
// above max are usage errors naming the flag.
base::result<std::chrono::milliseconds> parse_duration(std::string_view text, std::string_view flag,
                                                       std::chrono::milliseconds max);

// Parses a size such as 512MiB, 2GiB or 1048576 (a bare number is bytes; KiB, MiB and GiB are powers of 1024); a
// negative or fractional number, another unit, and values above max bytes are usage errors naming the flag.
base::result<std::uint64_t> parse_size(std::string_view text, std::string_view flag, std::uint64_t max);

// Adds --timeout DURATION (each network attempt's connect, write and read) to a command that uses the network.
void add_timeout_option(CLI::App& cmd, std::chrono::milliseconds& timeout);

// Prints e as the command's one closing line (text, or JSON under --log-format json) and returns its exit code.
int fail(base::error const& e);

// Sets the log format from a `--log-format json` (or `--log-format=json`) anywhere in argv, before the command line
// is parsed, so that even a usage error found while parsing is written as JSON.
void preconfigure_log_format(int argc, char** argv);

}  // namespace app
