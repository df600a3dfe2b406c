#include "app/options.hpp"

#include <cstdlib>

namespace app {

void add_common_options(CLI::App& cmd, common_options& o) {
  cmd.add_option("--db", o.db, "SQLite database file (default ./entra-audit.db, env ENTRA_AUDIT_DB)");
  cmd.add_option("--log-format", o.log_format, "log records as text or json")
      ->check(CLI::IsMember({"text", "json"}));
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

void configure_logging(const common_options& o) {
  auto const level = o.quiet ? base::log_level::error : o.verbose ? base::log_level::debug : base::log_level::info;
  base::configure_log(level, o.log_format == "json" ? base::log_format::json : base::log_format::text);
}

}  // namespace app
