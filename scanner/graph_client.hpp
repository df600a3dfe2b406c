// scanner/graph_client.hpp — authenticated, retrying HTTPS requests to Microsoft Graph.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/retry_policy.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scanner {

namespace net = boost::asio;

struct exchange_observer;  // scanner/detail/exchange_observer.hpp

// Each network step (connect, handshake, write, read) of an attempt is bounded by this unless --timeout says
// otherwise.
inline constexpr std::chrono::milliseconds default_attempt_timeout{60'000};
// A URL quoted in an error or a log line is cut to this many bytes: a hostile nextLink may be of any length.
inline constexpr std::size_t max_url_in_errors = 160;

// Where Graph and the login service are, and how to reach them (docs/design.md §2.2).
struct connection_options {
  std::string graph_endpoint = "https://graph.microsoft.com";  // root, without /v1.0
  std::string authority_host = "https://login.microsoftonline.com";
  std::string scope{};                                          // empty = graph_endpoint + "/.default"
  std::optional<std::string> ca_file;                           // extra trust anchors (PEM)
  std::optional<std::string> https_proxy{};                     // from HTTPS_PROXY
  std::string no_proxy{};                                       // from NO_PROXY
  std::chrono::milliseconds timeout = default_attempt_timeout;  // per connect, write, read
  unsigned max_connections = 16;
  std::chrono::seconds deadline{0};                               // whole-scan deadline for retries; 0 = none
  std::chrono::milliseconds backoff_base = default_backoff_base;  // first back-off ceiling (tests shrink it)
  exchange_observer* observer = nullptr;  // sees every attempt, token requests included (scan --capture)
};

// How entra-audit signs in (--credential, docs/design.md §2.2): an application's own credential (client
// credentials: secret, certificate or federated token file), the platform's managed identity, the Azure CLI's
// signed-in account, `auto`'s chain of the last two (tried at the first token request, in that order), or a person
// signing in with a device code (delegated; the refresh token kept in the token cache).
enum class sign_in_method { app, managed_identity, azure_cli, chain, device_code };

// The public client device-code sign-in uses without --client-id: the Azure CLI's, as Azure Identity's
// DeviceCodeCredential does (docs/design.md §2.2).
inline constexpr std::string_view default_public_client_id = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

// Device-code sign-in (docs/graph.md §10.8): who signs in where, and where the refresh token is kept.
struct device_code_settings {
  std::string tenant = "organizations";  // --tenant-id / AZURE_TENANT_ID, else any work or school account
  std::string client_id = std::string(default_public_client_id);  // --client-id: a public client
  std::string cache_dir{};  // --token-cache, ENTRA_AUDIT_TOKEN_CACHE, $XDG_CACHE_HOME/entra-audit, ~/.cache/...
  // True when a code may be shown and waited for: --credential device-code on the command line, or a terminal.
  bool can_prompt = false;
};

// Where a managed identity's tokens come from (docs/graph.md §10.6).
enum class identity_source { imds, app_service, azure_arc };

// A managed identity endpoint and the identity asked for; resolved from the environment by resolve_settings.
struct managed_identity_settings {
  identity_source source = identity_source::imds;
  std::string token_url;        // e.g. http://169.254.169.254/metadata/identity/oauth2/token (no query)
  std::string endpoint_from;    // the variable that named it, empty for IMDS's default address
  std::string identity_header;  // App Service: IDENTITY_HEADER's value, sent as X-IDENTITY-HEADER (a secret)
  std::string id_parameter;     // user-assigned: "client_id", "object_id", "msi_res_id", ...; empty = system
  std::string id_value;         // the client id, object id or resource id
  std::string arc_key_dir;      // Azure Arc: the only directory a challenge's key file may be in
  bool test_no_imds = false;    // ENTRA_AUDIT_TEST_NO_IMDS=1 (test-only): never connect to a non-loopback host
};

// The Azure CLI run for a token: `az account get-access-token --output json --resource R [--tenant T]`.
struct azure_cli_settings {
  std::string program = "az";  // looked up on PATH, run without a shell
  std::string tenant_id;       // --tenant, when --tenant-id or AZURE_TENANT_ID is given
  std::chrono::milliseconds timeout{30'000};
};

// Sign-in inputs. With method app exactly one of secret, certificate_path, federated_token_file is set.
struct credentials {
  sign_in_method method = sign_in_method::app;
  managed_identity_settings managed_identity{};  // method managed_identity or chain
  azure_cli_settings azure_cli{};                // method azure_cli or chain
  device_code_settings device_code{};            // method device_code
  std::string chosen_by{};                       // "--credential auto" etc. when the choice is logged at info
  std::vector<std::string> skipped{};            // auto: each credential passed over, with the reason
  std::string tenant_id{};
  std::string client_id{};
  std::optional<std::string> secret{};            // never logged
  std::optional<std::string> certificate_path{};  // PEM (certificate and private key) or PKCS#12 / PFX
  std::optional<std::string> certificate_password{};
  bool certificate_rs256 = false;                     // RS256 + x5t instead of PS256 + x5t#S256
  bool send_certificate_chain = false;                // x5c in the assertion (AZURE_CLIENT_SEND_CERTIFICATE_CHAIN)
  std::optional<std::string> federated_token_file{};  // re-read at every token request
  std::string credential_source{};                    // the flag or variable it came from, e.g. "AZURE_CLIENT_SECRET"
  std::vector<std::string> ignored_credentials{};     // other credential variables set, ignored (Azure Identity order)
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// A request to send: url is absolute (an @odata.nextLink as given) or a path like "/v1.0/users?...".
struct graph_request {
  std::string method = "GET";
  std::string url;
  std::string body;  // JSON for POST
  header_list headers;
};

// A response: status, body, and the headers the scanner reads (names lower-case).
struct graph_response {
  unsigned status = 0;
  std::string body;
  header_list headers;
  std::string url;         // the absolute URL that was requested
  std::string request_id;  // request-id header, else the body's innerError request-id, else empty
  // The value of header name (lower-case), if present.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Checks a response body (e.g. parses its JSON); an error makes the client retry the request like a 5xx.
using body_check = std::function<base::result<void>(const graph_response&)>;

// Counters since the client was created.
struct client_stats {
  std::int64_t requests = 0;   // HTTP requests sent to Graph (token requests excluded)
  std::int64_t throttled = 0;  // responses with status 429
  std::int64_t retries = 0;
  std::int64_t token_requests = 0;
};

class graph_client {
 public:
  // Validates options and credentials (usage errors exit 2) and prepares TLS; sends nothing yet.
  static base::result<std::unique_ptr<graph_client>> create(net::io_context& io, connection_options options,
                                                            credentials creds);
  virtual ~graph_client() = default;

  // Sends req with a bearer token, x-ms-throttle-priority: Low and a client-request-id; retries 429/503 after
  // Retry-After (seconds, fractional or HTTP-date), 5xx, timeouts, dropped connections and failed checks with
  // jittered exponential back-off up to the attempt budget; renews the token once on 401. Returns the final
  // 2xx response (check passed), or an error naming the URL, the status and the request-id.
  virtual net::awaitable<base::result<graph_response>> send(graph_request req, body_check check = {}) = 0;

  // The bearer token requests carry (fetched if needed), for a caller that reads its claims; never log it.
  virtual net::awaitable<base::result<std::string>> access_token() = 0;

  // Which credential signs in, e.g. "managed identity (IMDS at http://169.254.169.254, system-assigned)".
  virtual std::string credential_description() const = 0;
  // The tenant and application signed in as: as configured, else from the first token's claims (empty before).
  virtual std::string signed_in_tenant() const = 0;
  virtual std::string signed_in_client() const = 0;

  // Tells every sender to wait until now + delay before its next request (a throttled $batch item).
  virtual void pause_for(std::chrono::milliseconds delay) = 0;

  // Counters so far.
  virtual client_stats stats() const = 0;
  // The absolute root, e.g. https://graph.microsoft.com.
  virtual const std::string& graph_root() const = 0;
};

}  // namespace scanner
