// entra-audit: finds the Entra ID users whose licenses an identity provider cannot remove.
#include "app/commands.hpp"
#include "app/options.hpp"
#include "base/log.hpp"

#include <fmt/core.h>

#include <exception>

int main(int argc, char** argv) {
  app::preconfigure_log_format(argc, argv);
  try {
    return app::run(argc, argv);
  } catch (base::error_exception const& e) {
    return app::fail(e.error);
  } catch (std::exception const& e) {
    // Only programming errors reach here: expected failures are values handled in the commands.
    base::print_outcome(base::log_level::error, fmt::format("internal error: {}", e.what()));
    return static_cast<int>(base::exit_code::runtime);
  }
}
