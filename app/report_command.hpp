// app/report_command.hpp — `entra-audit report` and `entra-audit diff`: render stored findings.
#pragma once

#include "app/options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace app {

struct report_command_options {
  common_options common;
  std::string format = "csv";
  std::string out;
  std::int64_t scan_id = 0;  // 0 = latest complete
  std::string tenant_id;
  bool reaudit = false;
  std::string by;
  std::string idp_managed_skus;
  std::string rules;
  std::string user;          // --user UPN|ID: that user's license history across the kept snapshots
  bool calibration = false;  // --calibration: predicted versus what the identity provider reported (ingest)
};

struct diff_command_options {
  common_options common;
  std::vector<std::int64_t> scans;  // FROM TO, or none for the last two complete snapshots
  std::string format = "text";
  std::string out;
  std::string tenant_id;
};

// Registers `report` and its flags.
CLI::App* add_report_command(CLI::App& cli, report_command_options& o);
// Registers `diff` and its flags.
CLI::App* add_diff_command(CLI::App& cli, diff_command_options& o);

// Run them; return the exit code.
int run_report_command(const report_command_options& o);
int run_diff_command(const diff_command_options& o);

}  // namespace app
