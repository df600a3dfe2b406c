// app/commands.hpp — the command line (docs/design.md §2): parses arguments and runs one subcommand.
#pragma once

#include "base/error.hpp"

namespace app {

// Parses argv, runs the chosen subcommand and returns the process exit code.
int run(int argc, char** argv);

}  // namespace app
