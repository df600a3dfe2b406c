// scanner/detail/managed_identity.hpp — tokens of the platform's managed identity (docs/graph.md §10.6): Azure VM/VMSS
// IMDS, App Service / Functions / Container Apps (IDENTITY_ENDPOINT + IDENTITY_HEADER) and Azure Arc (a 401
// challenge naming a local key file). The parsers are pure; the provider talks to the endpoint. Internal to scanner/.
#pragma once

#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/token_provider.hpp"
#include "scanner/graph_client.hpp"
#include "scanner/settings.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace scanner {

// IMDS's address when nothing overrides it (link-local: only an Azure VM answers).
inline constexpr std::string_view imds_default_host = "http://169.254.169.254";
// Where the Azure Connected Machine agent writes the key files of its challenges (Linux).
inline constexpr std::string_view arc_key_directory = "/var/opt/azcmagent/tokens";
// A challenge's key file is small; anything larger is not one (the agent's files are 4 KiB at most).
inline constexpr std::size_t max_arc_key_size = 4096;
// How long `auto` waits for an IMDS to accept a connection before it moves on (off Azure nothing answers).
inline constexpr std::chrono::milliseconds identity_connect_timeout{1000};

// The managed identity endpoint the environment names (IDENTITY_ENDPOINT + IDENTITY_HEADER: App Service;
// IDENTITY_ENDPOINT + IMDS_ENDPOINT: Azure Arc; else IMDS at AZURE_POD_IDENTITY_AUTHORITY_HOST, IMDS_ENDPOINT or
// 169.254.169.254) and the identity asked for (--managed-identity-client-id, a resource id there too,
// --managed-identity-object-id, else AZURE_CLIENT_ID; none: system-assigned). A malformed URL or a user-assigned
// identity on Azure Arc is a usage error naming the variable or flag.
base::result<managed_identity_settings> resolve_managed_identity(
    const auth_flags& flags, const std::function<std::optional<std::string>(std::string_view)>& getenv);

// The token request's URL for resource (e.g. https://graph.microsoft.com): api-version, resource and the
// user-assigned identity's parameter, percent-encoded.
std::string managed_identity_url(const managed_identity_settings& s, std::string_view resource);

// Parses a 200 answer: access_token, and expires_on (epoch seconds, a number or a string) else expires_in; the
// lifetime is counted from now. A malformed answer, or one with neither expires_on nor expires_in, is an error.
base::result<access_token> parse_managed_identity_token(std::string_view body,
                                                        std::chrono::system_clock::time_point now);

// One line for a refused token request: IMDS's and Arc's {"error","error_description"}, App Service's
// {"statusCode","message"} or {"error":{"code","message"}}, else the status; never echoes other fields.
std::string describe_managed_identity_error(unsigned status, std::string_view body);

// Azure Arc's challenge: the key file named by `Basic realm=<path>`, which must be a regular file directly in
// key_dir, named *.key, at most max_arc_key_size bytes; returns its content (a secret).
base::result<std::string> read_arc_key(std::string_view www_authenticate, const std::string& key_dir);

// "managed identity (IMDS, system-assigned)" and the like.
std::string describe_managed_identity(const managed_identity_settings& s);

class managed_identity_provider final : public token_provider {
 public:
  // Tokens for resource from the endpoint of s; registers the identity header as a secret. Connections get
  // identity_connect_timeout to connect and --timeout for the rest, and never go through a proxy.
  managed_identity_provider(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls,
                            const connection_options& options, managed_identity_settings s, std::string resource);

  boost::asio::awaitable<base::result<access_token>> fetch() override;
  std::string description() const override { return describe_managed_identity(settings_); }

 private:
  managed_identity_settings settings_;
  std::string resource_;
  connection_options options_;
  connection_pool pool_;
  std::optional<std::string> arc_key_;  // the last challenge's key, sent back as Basic credentials
  bool answered_ = false;               // the endpoint has answered once: later failures are not "unavailable"
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace scanner
