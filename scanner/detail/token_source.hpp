// scanner/detail/token_source.hpp — tokens of one token_provider (client credentials, managed identity, Azure CLI),
// cached and renewed before they expire, one request at a time. Internal to scanner/.
#pragma once

#include "scanner/detail/token_provider.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace scanner {

// When a token of this lifetime, fetched at `acquired`, should be replaced: 5 minutes early, but never before 80%
// of its lifetime has passed (short-lived tokens would otherwise be renewed at every request).
std::chrono::steady_clock::time_point renewal_time(std::chrono::steady_clock::time_point acquired,
                                                   std::chrono::seconds lifetime);

class token_source {
 public:
  // Who signed in, as far as known: the configured ids, else the first token's tid and appid claims.
  struct identity {
    std::string tenant_id;
    std::string client_id;
  };

  // Caches what provider returns; who starts as the configured tenant and application (either may be empty).
  token_source(std::unique_ptr<token_provider> provider, identity who);

  // A valid token: the cached one unless it is due for renewal. Concurrent callers share one token request.
  boost::asio::awaitable<base::result<std::string>> get();

  // Called after Graph answered 401 to `rejected`: fetches a new token unless another caller already did.
  boost::asio::awaitable<base::result<std::string>> renew(std::string rejected);

  // Token requests sent so far.
  std::int64_t requests() const { return requests_; }

  // Which credential signs in, e.g. "managed identity (IMDS, system-assigned)".
  std::string description() const { return provider_->description(); }
  // The tenant and application signed in as (empty until known).
  const identity& signed_in_as() const { return signed_in_as_; }

 private:
  boost::asio::awaitable<base::result<std::string>> refresh();

  std::unique_ptr<token_provider> provider_;
  identity signed_in_as_;
  std::optional<access_token> token_;
  std::chrono::steady_clock::time_point renew_at_{};
  bool refreshing_ = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
  std::optional<base::error> last_error_;  // outcome of the last shared request, for the callers that waited on it
  std::int64_t requests_ = 0;
  bool signed_in_ = false;
};

}  // namespace scanner
