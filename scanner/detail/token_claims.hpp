// scanner/detail/token_claims.hpp — what an Entra access token says about itself: the claims of its JWT payload
// (base64url JSON), read without verifying the signature (Graph verifies it; `check` only reports). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// The claims `entra-audit check` shows and compares; missing ones are empty / nullopt.
struct token_claims {
  std::vector<std::string> roles;  // application permissions granted (app-only tokens)
  std::vector<std::string> scp;    // delegated scopes (space-separated in the token)
  std::string tid;                 // tenant id
  std::string aud;                 // the resource, e.g. https://graph.microsoft.com
  std::string iss;                 // the issuer, e.g. https://sts.windows.net/{tid}/
  std::string appid;               // the client id
  std::string upn;                 // the signed-in person (delegated tokens): upn, else preferred_username
  std::optional<std::chrono::system_clock::time_point> expires;  // exp
};

// Decodes the payload of a JWT-shaped token; nullopt when it is not one (an opaque token, or a payload that is
// not a JSON object). Never logs or returns the token.
std::optional<token_claims> decode_token_claims(std::string_view token);

// The national cloud (--cloud of docs/design.md §2.2: global, usgov, china) whose login service issued a token, from
// its iss host; empty when unknown (e.g. the emulator). usgov stands for both US Government clouds, which share it.
std::string cloud_of_issuer(std::string_view iss);

}  // namespace scanner
