// scanner/token_response.hpp — the login service's answers: access tokens and AADSTS errors as one line (pure).
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
};

// Who asked, so error lines can say which setting to check.
struct token_request_context {
  std::string tenant_id;
  std::string client_id;
  std::string credential_kind;  // "secret", "certificate" or "federated"
  std::string token_url;
};

// Parses a 200 answer ({"token_type":"Bearer","expires_in":3599,"access_token":...}); a malformed one is an error.
base::result<access_token> parse_token_response(std::string_view body);

// One clear line for a failed token request (exit 1), branching on error_codes (GRAPH.md §10), e.g.
// "AADSTS7000215: invalid client secret — check AZURE_CLIENT_SECRET for app <client id>"; otherwise the first line
// of error_description, else the status. The body's other fields are not echoed.
std::string describe_token_error(unsigned status, std::string_view body, const token_request_context& who);

// What a failed token request answered, as fields to decide on: the status, "AADSTS<n>" for the first of
// error_codes (else the OAuth error, e.g. "invalid_client"), and the trace_id Microsoft support asks for.
base::service_reply token_error_reply(unsigned status, std::string_view body);

}  // namespace scanner
