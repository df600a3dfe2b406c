// scanner/detail/device_code.hpp — delegated sign-in with a device code (RFC 8628; docs/graph.md §10.8): the cached
// refresh token first, else Microsoft's message (URL and code) and polling until the person signs in. Internal.
#pragma once

#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/token_provider.hpp"
#include "scanner/graph_client.hpp"
#include "scanner/token_cache.hpp"

#include <random>
#include <string>

namespace scanner {

class device_code_provider final : public token_provider {
 public:
  // Token requests go through pool to options.authority_host; the refresh token is kept in settings.cache_dir.
  device_code_provider(connection_pool& pool, const connection_options& options, device_code_settings settings);

  // A token from the refresh token (the cached one at first, rotated ones after), else from a device code when a
  // prompt is allowed; a refused refresh token deletes the cache entry.
  boost::asio::awaitable<base::result<access_token>> fetch() override;
  std::string description() const override;
  void log_signed_in() const override;

 private:
  boost::asio::awaitable<base::result<access_token>> redeem(std::string refresh_token);
  boost::asio::awaitable<base::result<access_token>> sign_in_with_code();
  base::result<access_token> keep(base::result<access_token> token);

  connection_pool& pool_;
  connection_options options_;
  device_code_settings settings_;
  std::string scope_;
  std::string token_url_;
  std::string refresh_token_;  // the newest one (rotated at every redemption); a secret
  std::string user_;           // who signed in, from the token's upn
  bool cache_checked_ = false;
  bool from_cache_ = false;
  bool refused_ = false;  // the last redemption was answered invalid_grant
  std::mt19937_64 rng_{std::random_device{}()};
};

// Scopes a scan asks for, delegated: User.Read.All and Organization.Read.All of graph_root, plus offline_access for
// a refresh token (docs/graph.md §10.8).
std::string delegated_scopes(const std::string& graph_root);

}  // namespace scanner
