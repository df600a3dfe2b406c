// app/check_command.hpp — `entra-audit check`: will a scan work with these settings? Signs in, probes every call
// a scan makes and prints a table of checks with the exact fix for each problem (docs/check.md).
#pragma once

#include "app/capture_option.hpp"
#include "app/options.hpp"
#include "scanner/settings.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace app {

struct check_command_options {
  common_options common;  // --log-format, --quiet, --verbose: check has no database and no progress meter
  scanner::auth_flags auth;
  std::string license_details = "derived";
  capture_flags capture{};  // --capture DIR, --capture-budget SIZE (docs/capture.md)
};

// Registers the subcommand and its flags (scan's sign-in and endpoint flags, --license-details, --capture).
CLI::App* add_check_command(CLI::App& cli, check_command_options& o);

// Runs it: the table (or, with --log-format json, one JSON object per check) on stdout; returns 0 when a scan
// will work (warnings allowed), 1 when something will fail, 2 on configuration errors.
int run_check_command(const check_command_options& o);

}  // namespace app
