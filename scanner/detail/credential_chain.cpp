#include "scanner/detail/credential_chain.hpp"

#include "base/log.hpp"
#include "scanner/detail/azure_cli.hpp"
#include "scanner/detail/client_credentials.hpp"
#include "scanner/detail/device_code.hpp"
#include "scanner/detail/managed_identity.hpp"

#include <fmt/core.h>

namespace scanner {

namespace {

// An error line's cause without its fix (the part after " — "): one short reason per credential.
std::string short_reason(const std::string& message) { return message.substr(0, message.find(" — ")); }

// The resource a managed identity or the CLI is asked for: the Graph root the scope names.
std::string resource_of(const connection_options& options) {
  std::string scope = options.scope.empty() ? options.graph_endpoint + "/.default" : options.scope;
  constexpr std::string_view suffix = "/.default";
  if (scope.ends_with(suffix)) scope.resize(scope.size() - suffix.size());
  return scope;
}

}  // namespace

credential_chain::credential_chain(std::vector<std::unique_ptr<token_provider>> providers,
                                   std::vector<std::string> skipped, std::string chosen_by)
    : providers_(std::move(providers)), skipped_(std::move(skipped)), chosen_by_(std::move(chosen_by)) {}

boost::asio::awaitable<base::result<access_token>> credential_chain::fetch() {
  if (chosen_ != nullptr) co_return co_await chosen_->fetch();
  bool all_unavailable = true;
  for (auto& provider : providers_) {
    auto token = co_await provider->fetch();
    if (token) {
      chosen_ = provider.get();
      co_return token;
    }
    all_unavailable = all_unavailable && token.error().code == base::exit_code::usage;
    std::string const description = provider->description();
    std::string const name = description.substr(0, description.find(" ("));
    std::string reason = short_reason(token.error().message);
    if (reason.starts_with(name + ": ")) reason.erase(0, name.size() + 2);
    skipped_.push_back(fmt::format("{}: {}", name, reason));
  }
  std::string reasons;
  for (auto const& r : skipped_) reasons += (reasons.empty() ? "" : "; ") + r;
  std::string line = fmt::format(
      "no credential signed in ({}): {} — set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a "
      "certificate), run on Azure with a managed identity, or run `az login`",
      chosen_by_, reasons);
  co_return all_unavailable ? base::usage_error(std::move(line)) : base::runtime_error(std::move(line));
}

std::string credential_chain::description() const {
  return chosen_ != nullptr ? chosen_->description() : "the first available credential (--credential auto)";
}

void credential_chain::log_signed_in() const { log_credential_choice(chosen_by_, skipped_, description()); }

void log_credential_choice(const std::string& chosen_by, const std::vector<std::string>& skipped,
                           const std::string& description) {
  for (auto const& reason : skipped) base::log(base::log_level::info, "credential skipped — {}", reason);
  base::log(base::log_level::info, "signed in with {} ({})", description, chosen_by);
}

std::unique_ptr<token_provider> make_token_provider(connection_pool& pool, boost::asio::any_io_executor ex,
                                                    boost::asio::ssl::context& tls, const connection_options& options,
                                                    const credentials& creds, std::optional<client_certificate> cert) {
  switch (creds.method) {
    case sign_in_method::managed_identity:
      return std::make_unique<managed_identity_provider>(ex, tls, options, creds.managed_identity,
                                                         resource_of(options));
    case sign_in_method::azure_cli:
      return std::make_unique<azure_cli_provider>(ex, creds.azure_cli, resource_of(options));
    case sign_in_method::chain: {
      std::vector<std::unique_ptr<token_provider>> providers;
      providers.push_back(
          std::make_unique<managed_identity_provider>(ex, tls, options, creds.managed_identity, resource_of(options)));
      providers.push_back(std::make_unique<azure_cli_provider>(ex, creds.azure_cli, resource_of(options)));
      return std::make_unique<credential_chain>(std::move(providers), creds.skipped, creds.chosen_by);
    }
    case sign_in_method::device_code:
      return std::make_unique<device_code_provider>(pool, options, creds.device_code);
    case sign_in_method::app:
      break;
  }
  return std::make_unique<client_credentials_provider>(pool, options, creds, std::move(cert));
}

}  // namespace scanner
