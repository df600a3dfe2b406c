// app/capture_option.hpp — `scan --capture DIR [--capture-budget SIZE]` (docs/capture.md): the flags, and the capture
// they open.
#pragma once

#include "base/error.hpp"
#include "scanner/capture.hpp"
#include "scanner/graph_client.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace app {

// What the capture flags asked for.
struct capture_flags {
  std::string dir;                      // --capture DIR; empty = no capture
  std::optional<std::uint64_t> budget;  // --capture-budget SIZE; the default budget when absent
};

// Adds --capture DIR and --capture-budget SIZE to the scan command.
void add_capture_option(CLI::App& cmd, capture_flags& flags);

// The capture of a scan with these settings as the flags ask: nullptr when no directory was given, a usage error
// (exit 2) when the directory is not a new or empty one or cannot be written, or when a budget comes without it.
base::result<std::unique_ptr<scanner::capture_writer>> open_capture(const capture_flags& flags,
                                                                    const scanner::connection_options& connection,
                                                                    const scanner::credentials& creds);

}  // namespace app
