// app/scan_command.hpp — `entra-audit scan`: crawl one tenant into a new snapshot, then audit it.
#pragma once

#include "app/capture_option.hpp"
#include "app/options.hpp"
#include "scanner/settings.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace app {

struct scan_command_options {
  common_options common;
  scanner::auth_flags auth;
  std::string license_details = "derived";
  unsigned concurrency = 8;
  std::string shards = "auto";  // --shards N|auto|off
  bool resume = false;
  bool fail_on_findings = false;
  std::string fail_on;     // --fail-on CONDITIONS (reports/fail_on.hpp); empty = none
  std::string changes_md;  // --changes-md FILE ("-" = stdout); empty = none
  int keep = 30;
  std::string idp_managed_skus;
  std::string rules;
  std::string commerce_policies;  // --commerce-policies FILE: Get-MSCommerceProductPolicies as JSON
  std::string deadline;           // e.g. 90m, 2h, 3600s; empty = none
  capture_flags capture{};        // --capture DIR, --capture-budget SIZE (docs/capture.md)
};

// Registers the subcommand and its flags.
CLI::App* add_scan_command(CLI::App& cli, scan_command_options& o);

// Adds the credential and endpoint flags of the commands that talk to Graph (scan, check).
void add_auth_options(CLI::App& cmd, scanner::auth_flags& auth);

// The flags plus whether stdin and stderr are terminals (a device code may then be shown and waited for).
scanner::auth_flags with_terminal(const scanner::auth_flags& flags);

// Adds --license-details derived|fetch.
void add_license_details_option(CLI::App& cmd, std::string& mode);

// The process environment as resolve_settings reads it (the Azure SDK variables, HTTPS_PROXY, ...).
std::optional<std::string> environment(std::string_view name);

// Runs it and returns the exit code (0, 1, 2, or 3 with --fail-on-findings or a --fail-on condition met).
int run_scan_command(const scan_command_options& o);

}  // namespace app
