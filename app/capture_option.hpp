// app/capture_option.hpp — `scan --capture DIR` (docs/capture.md): the flag, and the capture it opens.
#pragma once

#include "base/error.hpp"
#include "scanner/capture.hpp"
#include "scanner/graph_client.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace app {

// Adds --capture DIR to the scan command.
void add_capture_option(CLI::App& cmd, std::string& dir);

// The capture of a scan with these settings into dir: nullptr when dir is empty (no capture), a usage error
// (exit 2) when dir is not a new or empty directory or cannot be written.
base::result<std::unique_ptr<scanner::capture_writer>> open_capture(const std::string& dir,
                                                                    const scanner::connection_options& connection,
                                                                    const scanner::credentials& creds);

}  // namespace app
