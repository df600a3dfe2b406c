// scanner/detail/token_source.hpp — client-credentials tokens (secret, certificate assertion or federated token file),
// cached and renewed before they expire. Internal to scanner/.
#pragma once

#include "scanner/detail/client_certificate.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/token_response.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <string>

namespace scanner {

// When a token of this lifetime, fetched at `acquired`, should be replaced: 5 minutes early, but never before 80%
// of its lifetime has passed (short-lived tokens would otherwise be renewed at every request).
std::chrono::steady_clock::time_point renewal_time(std::chrono::steady_clock::time_point acquired,
                                                   std::chrono::seconds lifetime);

class token_source {
 public:
  // Uses pool for token requests; cert is set when creds name a certificate.
  token_source(connection_pool& pool, const connection_options& options, credentials creds,
               std::optional<client_certificate> cert);

  // A valid token: the cached one unless it is due for renewal. Concurrent callers share one token request.
  boost::asio::awaitable<base::result<std::string>> get();

  // Called after Graph answered 401 to `rejected`: fetches a new token unless another caller already did.
  boost::asio::awaitable<base::result<std::string>> renew(std::string rejected);

  // Token requests sent so far.
  std::int64_t requests() const { return requests_; }

 private:
  boost::asio::awaitable<base::result<std::string>> refresh();
  boost::asio::awaitable<base::result<access_token>> request_token();
  base::result<std::string> credential_form();
  void log_sign_in() const;

  connection_pool& pool_;
  connection_options options_;
  credentials creds_;
  std::optional<client_certificate> cert_;
  token_request_context who_;
  endpoint token_where_;
  std::string token_target_;
  std::optional<access_token> token_;
  std::chrono::steady_clock::time_point renew_at_{};
  bool refreshing_ = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
  std::optional<base::error> last_error_;  // outcome of the last shared request, for the callers that waited on it
  std::int64_t requests_ = 0;
  bool signed_in_ = false;
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace scanner
