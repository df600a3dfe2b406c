#include "app/sign_out_command.hpp"

#include "app/scan_command.hpp"
#include "scanner/token_cache.hpp"

#include <fmt/core.h>

#include <cstdio>

namespace app {

CLI::App* add_sign_out_command(CLI::App& cli, sign_out_command_options& o) {
  auto* cmd =
      cli.add_subcommand("sign-out", "delete the device-code sign-ins (refresh tokens) kept in the token cache");
  add_common_options(*cmd, o.common);
  // sign-out never opens the database and has nothing to show progress of.
  cmd->remove_option(cmd->get_option("--db"));
  cmd->remove_option(cmd->get_option("--progress"));
  cmd->add_option("--token-cache", o.token_cache,
                  "the token cache directory (env ENTRA_AUDIT_TOKEN_CACHE; default $XDG_CACHE_HOME/entra-audit, else "
                  "~/.cache/entra-audit)");
  return cmd;
}

int run_sign_out_command(const sign_out_command_options& o) {
  configure_logging(o.common);
  auto dir = scanner::token_cache_dir(o.token_cache, environment);
  if (!dir) return fail(dir.error());
  auto removed = scanner::sign_out(*dir);
  if (!removed) return fail(removed.error());
  if (removed->empty()) fmt::print("no cached sign-in in {}: nothing to delete\n", *dir);
  for (auto const& r : *removed) {
    auto const& e = r.entry;
    if (e.client_id.empty()) {
      fmt::print("deleted {} (not a readable sign-in)\n", r.path);
      continue;
    }
    fmt::print("deleted the cached sign-in{} to app {} in tenant {} at {} ({})\n",
               e.user.empty() ? std::string() : " of " + e.user, e.client_id, e.tenant, e.authority, r.path);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace app
