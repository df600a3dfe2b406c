#include "app/capture_option.hpp"

#include "app/options.hpp"
#include "base/version.hpp"

namespace app {

void add_capture_option(CLI::App& cmd, capture_flags& flags) {
  cmd.add_option("--capture", flags.dir,
                 "record every exchange with Graph, pseudonymized, into this new or empty directory, for "
                 "`sim --replay` (docs/capture.md)");
  // A capture's disk use is the bodies it keeps; past the budget only failures and each endpoint's first body are
  // kept, which a large tenant reaches before its replay would be whole (docs/capture.md "Bodies and the budget").
  constexpr std::uint64_t max_budget = std::uint64_t{1024} << 30;
  cmd.add_option_function<std::string>(
      "--capture-budget",
      [&flags](const std::string& text) {
        auto parsed = parse_size(text, "--capture-budget", max_budget);
        if (!parsed) throw CLI::ValidationError(parsed.error().message);
        flags.budget = *parsed;
      },
      "bytes of answer bodies --capture keeps in full, e.g. 2GiB (default 256MiB; docs/capture.md)");
}

base::result<std::unique_ptr<scanner::capture_writer>> open_capture(const capture_flags& flags,
                                                                    const scanner::connection_options& connection,
                                                                    const scanner::credentials& creds) {
  if (flags.dir.empty()) {
    if (flags.budget)
      return base::usage_error("--capture-budget sets the budget of a capture: add --capture DIR, or drop it");
    return std::unique_ptr<scanner::capture_writer>();
  }
  scanner::capture_settings settings;
  settings.dir = flags.dir;
  settings.tool_version = base::version;
  settings.graph_root = connection.graph_endpoint;
  settings.authority_host = connection.authority_host;
  settings.tenant_id = creds.tenant_id;
  settings.client_id = creds.client_id;
  if (flags.budget) settings.body_budget = *flags.budget;
  return scanner::capture_writer::open(std::move(settings));
}

}  // namespace app
