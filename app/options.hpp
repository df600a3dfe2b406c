// app/options.hpp — the options every subcommand shares (DESIGN.md §2) and how they are registered.
#pragma once

#include "base/log.hpp"

#include <CLI/CLI.hpp>

#include <string>

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

}  // namespace app
