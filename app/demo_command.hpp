// app/demo_command.hpp — `entra-audit demo`: the whole pipeline on the built-in emulated tenant.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace app {

struct demo_command_options {
  std::string out = "entra-audit-demo";
  std::uint64_t users = 1000;
  std::uint64_t seed = 1;
  std::string idp_managed_skus = "ENTERPRISEPACK,SPE_E5,EMSPREMIUM";
  std::chrono::milliseconds timeout{60'000};  // --timeout
};

// Registers `demo` and its flags.
CLI::App* add_demo_command(CLI::App& cli, demo_command_options& o);

// Starts the emulator on 127.0.0.1 over TLS, scans it into OUT/entra-audit.db, audits, writes every report into
// OUT and prints where they are. Never touches a real tenant. Returns the exit code.
int run_demo_command(const demo_command_options& o);

}  // namespace app
