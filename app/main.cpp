// entra-audit: finds the Entra ID users whose licenses an identity provider cannot remove.
#include "app/commands.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  try {
    return app::run(argc, argv);
  } catch (base::error_exception const& e) {
    fmt::print(stderr, "entra-audit: {}\n", e.what());
    return static_cast<int>(e.error.code);
  } catch (std::exception const& e) {
    // Only programming errors reach here: expected failures are values handled in the commands.
    fmt::print(stderr, "entra-audit: internal error: {}\n", e.what());
    return static_cast<int>(base::exit_code::runtime);
  }
}
