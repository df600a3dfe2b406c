// app/sign_out_command.hpp — `entra-audit sign-out`: deletes the device-code sign-ins kept in the token cache and
// says which (docs/design.md §2.1).
#pragma once

#include "app/options.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace app {

struct sign_out_command_options {
  common_options common;    // --log-format, --quiet, --verbose
  std::string token_cache;  // --token-cache DIR
};

// Registers the subcommand and its flags.
CLI::App* add_sign_out_command(CLI::App& cli, sign_out_command_options& o);

// Runs it: one line per deleted sign-in on stdout (or that there was none); 0, or 1 when a file cannot be deleted.
int run_sign_out_command(const sign_out_command_options& o);

}  // namespace app
