// scanner/detail/azure_cli.hpp — tokens of the account signed in to the Azure CLI (docs/graph.md §10.7): runs
// `az account get-access-token --output json --resource <Graph> [--tenant T]`. The parsers are pure. Internal.
#pragma once

#include "scanner/detail/run_program.hpp"
#include "scanner/detail/token_provider.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// The command line run (no shell: each element one argument).
std::vector<std::string> azure_cli_arguments(const azure_cli_settings& s, std::string_view resource);

// Parses the CLI's JSON: accessToken, and expires_on (epoch seconds, CLI 2.54 and later) else expiresOn (local
// time "YYYY-MM-DD HH:MM:SS[.ffffff]"); the lifetime is counted from now.
base::result<access_token> parse_azure_cli_token(std::string_view out, std::chrono::system_clock::time_point now);

// One line for a run that gave no token, with the fix: a missing CLI, one not signed in (`az login`) or too old
// are usage errors (exit 2), anything else a runtime error naming the CLI's first error line.
base::error describe_azure_cli_failure(const program_result& run, const azure_cli_settings& s);

class azure_cli_provider final : public token_provider {
 public:
  // Tokens for resource (e.g. https://graph.microsoft.com) from `az` on PATH.
  azure_cli_provider(boost::asio::any_io_executor ex, azure_cli_settings s, std::string resource);

  boost::asio::awaitable<base::result<access_token>> fetch() override;
  std::string description() const override;

 private:
  boost::asio::any_io_executor ex_;
  azure_cli_settings settings_;
  std::string resource_;
};

}  // namespace scanner
