// entra-audit: finds the Entra ID users whose licenses an identity provider cannot remove.
#include "app/commands.hpp"
#include "app/options.hpp"
#include "base/log.hpp"

#include <fmt/core.h>

#include <exception>
#include <malloc.h>

int main(int argc, char** argv) {
  // A scan's pages (hundreds of KB each) are parsed on one thread and freed on another. glibc raises its mmap
  // threshold after each such free, so later pages come from the arenas, and what they leave there stays resident: a
  // 1M nightly scan peaked 60 MiB higher (docs/benchmarks.md "History"). A fixed threshold hands every large block
  // back to the system when it is freed.
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
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
