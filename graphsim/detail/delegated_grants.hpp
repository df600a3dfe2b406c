// graphsim/detail/delegated_grants.hpp — a person's sign-in (delegated): the device authorization grant (RFC 8628)
// with a test-only approve / decline in place of the browser, and refresh tokens that rotate at every use. The token
// service mints the access tokens (docs/graphsim.md, "Device code sign-in").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace graphsim {

// What a delegated token is for: the public client, the resource (aud) and the delegated scopes (scp).
struct delegated_grant {
  std::string client_id;
  std::string resource;
  std::vector<std::string> scopes;
  bool offline = false;  // offline_access was asked for: a refresh token comes with the access token
};

// A grant's answer in the identity platform's terms: 200 and a body, or an OAuth error with its AADSTS code.
struct grant_outcome {
  unsigned status = 200;
  std::string error;  // e.g. authorization_pending; empty on success
  unsigned aadsts = 0;
  std::string description;
  std::string body;  // the JSON answer on success
};

using form_fields = std::map<std::string, std::string>;

// Builds the 200 body of a token answer for grant, with refresh_token when it is not empty.
using mint_fn = std::function<std::string(const delegated_grant& grant, const std::string& refresh_token)>;

class delegated_grants {
 public:
  using clock = std::chrono::steady_clock;

  // Device codes live `expiry` and may be polled every `interval`; public_clients are the client ids that may sign a
  // person in; default_scopes is what `<resource>/.default` grants.
  delegated_grants(std::chrono::seconds interval, std::chrono::seconds expiry, std::vector<std::string> public_clients,
                   std::vector<std::string> default_scopes, std::uint64_t seed);

  // POST /{tenant}/oauth2/v2.0/devicecode (client_id, scope): device_code, user_code, verification_uri, expires_in,
  // interval and message, as Entra answers.
  grant_outcome authorize_device(const form_fields& form, clock::time_point now);
  // grant_type=urn:ietf:params:oauth:grant-type:device_code: authorization_pending until approved, slow_down when
  // polled faster than the interval (which then grows by 5 s), expired_token after the expiry,
  // authorization_declined, bad_verification_code for a code it never issued; a code is redeemed once.
  grant_outcome redeem_device_code(const form_fields& form, clock::time_point now, const mint_fn& mint);
  // grant_type=refresh_token: a refresh token is spent by its use and a new one issued (rotation); a spent, revoked
  // or unknown one is invalid_grant.
  grant_outcome redeem_refresh_token(const form_fields& form, const mint_fn& mint);

  // Test-only controls in place of the browser: false when no pending code has this user code.
  bool approve(std::string_view user_code);
  bool decline(std::string_view user_code);
  // Revokes every refresh token issued so far (as an administrator's "revoke sessions" does); how many.
  std::size_t revoke_refresh_tokens();

 private:
  enum class code_state { waiting, approved, declined };
  struct pending_code {
    std::string user_code;
    delegated_grant grant;
    clock::time_point expires;
    clock::time_point last_poll;
    std::chrono::seconds interval;
    code_state state = code_state::waiting;
  };

  std::string new_refresh_token(const delegated_grant& grant);
  bool settle(std::string_view user_code, code_state to);

  std::chrono::seconds interval_, expiry_;
  std::vector<std::string> public_clients_;
  std::vector<std::string> default_scopes_;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, pending_code> codes_;       // by device_code
  std::unordered_map<std::string, delegated_grant> refresh_;  // live refresh tokens
  std::set<std::string> spent_;                               // rotated or revoked refresh tokens
};

}  // namespace graphsim
