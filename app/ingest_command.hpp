// app/ingest_command.hpp — `entra-audit ingest FILE…`: reads what the identity provider reported when it pushed
// licenses into the database, for `report --calibration` (docs/design.md §8).
#pragma once

#include "app/options.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace app {

struct ingest_command_options {
  common_options common{};
  std::vector<std::string> files{};
  std::string format = "auto";  // --format auto|okta-log|okta-csv|okta-text|csv
  std::string okta_org_url{};   // --okta-org-url: read Okta's System Log itself (token: OKTA_API_TOKEN)
  std::string since{};          // --since / --until: the System Log window (ISO 8601)
  std::string until{};
  std::string ca_file{};  // --ca-file: more trust anchors for the Okta org
  std::chrono::milliseconds timeout{std::chrono::seconds{60}};
};

// Registers the subcommand and its flags.
CLI::App* add_ingest_command(CLI::App& cli, ingest_command_options& o);

// Runs it and returns the exit code: 0 when every file was read (skipped lines are warnings), 2 when a file could
// not be read, 1 when the database could not store the events.
int run_ingest_command(const ingest_command_options& o);

}  // namespace app
