// scanner/detail/credential_chain.hpp — the token provider that --credential names, and `auto`'s chain: managed
// identity, then the Azure CLI, the first that gives a token kept for the rest of the run (docs/design.md §2.2).
// Internal.
#pragma once

#include "scanner/detail/client_certificate.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/token_provider.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scanner {

// Tries each provider in order until one gives a token, then asks only that one; logs (info) which signed in and
// why each before it was passed over. With none, one error naming every reason (exit 2 when each was merely not
// available here, else 1).
class credential_chain final : public token_provider {
 public:
  // skipped: the reasons already known (credentials `auto` passed over before the run); chosen_by names the choice.
  credential_chain(std::vector<std::unique_ptr<token_provider>> providers, std::vector<std::string> skipped,
                   std::string chosen_by);

  boost::asio::awaitable<base::result<access_token>> fetch() override;
  std::string description() const override;
  void log_signed_in() const override;

 private:
  std::vector<std::unique_ptr<token_provider>> providers_;
  std::vector<std::string> skipped_;
  std::string chosen_by_;
  token_provider* chosen_ = nullptr;
};

// Logs `auto`'s choice: one info line per credential passed over (with its reason), then the one that signed in.
void log_credential_choice(const std::string& chosen_by, const std::vector<std::string>& skipped,
                           const std::string& description);

// The provider for creds (client credentials, managed identity, Azure CLI or the chain); token requests to the
// login service go through pool, identity endpoints through their own connections.
std::unique_ptr<token_provider> make_token_provider(connection_pool& pool, boost::asio::any_io_executor ex,
                                                    boost::asio::ssl::context& tls, const connection_options& options,
                                                    const credentials& creds, std::optional<client_certificate> cert);

}  // namespace scanner
