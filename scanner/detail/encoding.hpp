// scanner/detail/encoding.hpp — small encoders the client needs: base64(url), form encoding, random GUIDs (pure).
#pragma once

#include <string>
#include <string_view>

namespace scanner {

// Standard base64 with padding (RFC 4648 §4), e.g. for Proxy-Authorization: Basic.
std::string base64_encode(std::string_view bytes);

// base64url without padding (RFC 4648 §5), as JWTs and certificate thumbprints use it.
std::string base64url_encode(std::string_view bytes);

// Decodes base64url (padding optional) into out; false on malformed input.
bool base64url_decode(std::string_view text, std::string& out);

// application/x-www-form-urlencoded encoding of one name or value (space as %20, unreserved kept).
std::string form_encode(std::string_view text);

// A random version-4 GUID in lower case, e.g. for client-request-id and the assertion's jti.
std::string new_guid();

}  // namespace scanner
