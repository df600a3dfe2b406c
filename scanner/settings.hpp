// scanner/settings.hpp — command-line flags + Azure SDK environment variables → connection options and credentials.
#pragma once

#include "base/error.hpp"
#include "scanner/graph_client.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace scanner {

// The credential and endpoint flags of `scan` (docs/design.md §2.2); empty strings mean "not given".
struct auth_flags {
  std::string tenant_id, client_id, client_secret_file, certificate, certificate_password_file, federated_token_file,
      cloud /*global|usgov|usgov-dod|china*/, graph_endpoint, authority_host, ca_file;
  std::string credential;  // --credential auto|env|workload|managed-identity|azure-cli|device-code; empty: not given
  std::string managed_identity_client_id, managed_identity_object_id;  // user-assigned identity (resource id too)
  std::string token_cache;  // --token-cache DIR (device-code sign-in's refresh tokens)
  bool rs256 = false;
  bool terminal = false;  // stdin and stderr are terminals: device-code may show a code and wait (docs/design.md §2.2)
  std::chrono::milliseconds timeout = default_attempt_timeout;  // --timeout: each connect, write and read
};

// Graph root and login host of a national cloud (docs/graph.md §11).
struct cloud_endpoints {
  std::string graph_root;
  std::string authority_host;
};

// The endpoints of cloud "global", "usgov", "usgov-dod" or "china"; nullopt for any other name.
std::optional<cloud_endpoints> endpoints_of_cloud(std::string_view cloud);

// The values --credential (env ENTRA_AUDIT_CREDENTIAL) takes, in the order `auto` tries the first four.
inline constexpr std::string_view credential_names[] = {"auto",      "env",        "workload", "managed-identity",
                                                        "azure-cli", "device-code"};

// Resolves --credential (else ENTRA_AUDIT_CREDENTIAL; not given: today's client credentials when one is set, else
// auto) and flags + environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH,
// AZURE_CLIENT_CERTIFICATE_PASSWORD, AZURE_CLIENT_SEND_CERTIFICATE_CHAIN, AZURE_FEDERATED_TOKEN_FILE,
// AZURE_AUTHORITY_HOST, HTTPS_PROXY/https_proxy, NO_PROXY/no_proxy; flags win) into connection options and credentials;
// a missing or contradictory setting is a usage error (exit 2) naming the variable or flag to set.
base::result<std::pair<connection_options, credentials>> resolve_settings(
    const auth_flags& flags, const std::function<std::optional<std::string>(std::string_view)>& getenv);

// Checks a Graph root or login host URL: http(s) only, plain http only for loopback hosts; returns it without
// trailing slashes, or a usage error naming `what` (the flag or variable it came from).
base::result<std::string> validate_service_url(std::string_view url, std::string_view what);

}  // namespace scanner
