#include "app/capture_option.hpp"

#include "base/version.hpp"

namespace app {

void add_capture_option(CLI::App& cmd, std::string& dir) {
  cmd.add_option("--capture", dir,
                 "record every exchange with Graph, pseudonymized, into this new or empty directory, for "
                 "`sim --replay` (docs/capture.md)");
}

base::result<std::unique_ptr<scanner::capture_writer>> open_capture(const std::string& dir,
                                                                    const scanner::connection_options& connection,
                                                                    const scanner::credentials& creds) {
  if (dir.empty()) return std::unique_ptr<scanner::capture_writer>();
  scanner::capture_settings settings;
  settings.dir = dir;
  settings.tool_version = base::version;
  settings.graph_root = connection.graph_endpoint;
  settings.authority_host = connection.authority_host;
  settings.tenant_id = creds.tenant_id;
  settings.client_id = creds.client_id;
  return scanner::capture_writer::open(std::move(settings));
}

}  // namespace app
