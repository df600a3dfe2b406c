// scanner/detail/client_credentials.hpp — the client-credentials flow (docs/graph.md §10.1): an application's secret,
// certificate assertion or federated token file sent to the login service. Internal to scanner/.
#pragma once

#include "scanner/detail/client_certificate.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/token_provider.hpp"
#include "scanner/graph_client.hpp"

#include <optional>
#include <random>
#include <string>

namespace scanner {

class client_credentials_provider final : public token_provider {
 public:
  // Sends token requests through pool; cert is set when creds name a certificate. Registers the secrets first.
  client_credentials_provider(connection_pool& pool, const connection_options& options, credentials creds,
                              std::optional<client_certificate> cert);

  boost::asio::awaitable<base::result<access_token>> fetch() override;
  std::string description() const override;
  void log_signed_in() const override;

 private:
  base::result<std::string> credential_form();

  connection_pool& pool_;
  connection_options options_;
  credentials creds_;
  std::optional<client_certificate> cert_;
  token_request_context who_;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace scanner
