// scanner/detail/token_response.hpp — the login service's answers: access tokens and AADSTS errors as one line (pure).
#pragma once

#include "base/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace scanner {

// A bearer token and how long the service said it lives.
struct access_token {
  std::string value;  // never logged
  std::chrono::seconds lifetime{0};
  std::string refresh_token{};  // delegated sign-in with offline_access only; never logged
};

// Who asked, so error lines can say which setting to check.
struct token_request_context {
  std::string tenant_id;
  std::string client_id;
  std::string credential_kind;  // "secret", "certificate" or "federated"
  std::string token_url;
};

// The longest access token that is accepted (docs/security.md): it travels as "Authorization: Bearer <token>", and
// Beast stores a header field's length in 16 bits, keeping two bytes for its CRLF: 65,535 - 2 - 7 bytes. A longer
// token could not be sent at all, so it is refused when it arrives, with the reason.
inline constexpr std::size_t max_access_token_size = 65'535 - 2 - 7;

// Parses a 200 answer ({"token_type":"Bearer","expires_in":3599,"access_token":...}); a malformed one is an error
// (which a retry may cure).
base::result<access_token> parse_token_response(std::string_view body);

// Checks that a parsed token can be sent: at most max_access_token_size bytes, visible ASCII only (RFC 6750
// b64token, so it can never add a header line). A failure is final: asking again gives the same token.
base::result<void> check_token_value(std::string_view value);

// One clear line for a failed token request (exit 1), branching on error_codes (docs/graph.md §10.3), e.g.
// "AADSTS7000215: invalid client secret — check AZURE_CLIENT_SECRET for app <client id>"; otherwise the first line
// of error_description, else the status. The body's other fields are not echoed.
std::string describe_token_error(unsigned status, std::string_view body, const token_request_context& who);

// What a failed token request answered, as fields to decide on: the status, "AADSTS<n>" for the first of
// error_codes (else the OAuth error, e.g. "invalid_client"), and the trace_id Microsoft support asks for.
base::service_reply token_error_reply(unsigned status, std::string_view body);

}  // namespace scanner
