// graphsim/detail/token_service.hpp — the identity platform's client-credentials endpoint (docs/graph.md §10.1) and the
// bearer tokens it hands out, which every Graph request must carry.
#pragma once

#include "graphsim/detail/delegated_grants.hpp"
#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/jwt_verify.hpp"

#include <chrono>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace graphsim {

class tenant;

enum class bearer_state { valid, missing, expired, invalid };

// Whether resource (a scope without "/.default") is one the emulator issues tokens for: a Graph root of any
// national cloud, Graph's app id, or a loopback URL (the emulator's own root).
bool resource_is_valid(std::string_view resource);

// What an Authorization header carries: its state and, when valid, the roles of its token.
struct bearer_check {
  bearer_state state = bearer_state::missing;
  std::span<const std::string> roles;  // valid until the service issues its next token
};

// How device codes behave (sim --device-code-interval / --device-code-expiry).
struct device_code_timing {
  unsigned interval_s = 5;
  unsigned expiry_s = 900;
};

class token_service {
 public:
  using clock = std::chrono::steady_clock;
  // Tokens carry roles (the application permissions granted to the client) in their roles claim; a person's
  // (delegated) tokens carry the scopes granted in scp. require_x5c: assertions must carry the certificate chain.
  token_service(tenant const& t, cert_registry certs, unsigned lifetime_s, std::uint64_t seed,
                std::vector<std::string> roles, device_code_timing timing = {}, bool require_x5c = false);

  // POST /{tenant}/oauth2/v2.0/token: a token-response.json body, or the AADSTS error of token-error.json. The
  // access token is JWT-shaped (header.payload.signature, base64url JSON) with the claims of an app-only Entra
  // token: aud, iss, iat, nbf, exp, appid, appidacr, idtyp, roles, tid, ver. Its signature is random bytes: the
  // service knows its tokens by value. The device_code and refresh_token grants issue a person's tokens (scp, upn).
  sim_response handle(sim_request const& req, std::string_view tenant_segment);

  // POST /{tenant}/oauth2/v2.0/devicecode: a device code for a public client (delegated_grants.hpp).
  sim_response handle_device_code(sim_request const& req, std::string_view tenant_segment);

  // The device codes and refresh tokens, for the test-only /_sim/ controls.
  delegated_grants& grants() { return grants_; }

  // A token for a managed identity (the emulator's identity endpoints): aud = resource, appid = app_id, the same
  // roles as the application's; valid for the configured lifetime, which it returns.
  std::string issue_identity_token(std::string_view resource, std::string_view app_id);
  std::chrono::seconds lifetime() const { return lifetime_; }

  // Whether an Authorization header carries a token this service issued and that has not expired, and its roles.
  bearer_check check(std::optional<std::string_view> authorization, clock::time_point now) const;

  std::uint64_t issued() const { return issued_; }

 private:
  sim_response error(unsigned status, std::string_view error, unsigned code, std::string_view description,
                     std::string const& trace_id, std::string const& correlation_id) const;
  sim_response issue(std::string_view scope, bool certificate);
  std::string new_token(std::string_view resource, std::string_view app_id, bool certificate);
  std::string claims(std::string_view resource, std::string_view app_id, bool certificate) const;
  std::string delegated_claims(delegated_grant const& grant) const;
  std::string mint_delegated(delegated_grant const& grant, std::string const& refresh_token);
  std::string remember(std::string token, std::vector<std::string> permissions);
  sim_response finish(sim_response res, sim_request const& req, std::string const& trace_id) const;
  std::optional<sim_response> refuse_tenant(std::string_view tenant_segment, bool delegated, sim_request const& req,
                                            std::string const& trace_id) const;

  struct issued_token {
    clock::time_point expiry;
    std::vector<std::string> roles;
  };

  tenant const& tenant_;
  cert_registry certs_;
  std::chrono::seconds lifetime_;
  std::mt19937_64 rng_;
  std::vector<std::string> roles_;
  std::unordered_map<std::string, issued_token> tokens_;  // token -> expiry and roles (delegated: scopes)
  delegated_grants grants_;
  bool require_x5c_ = false;
  std::uint64_t issued_ = 0;
};

}  // namespace graphsim
