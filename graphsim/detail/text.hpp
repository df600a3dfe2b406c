// graphsim/detail/text.hpp — small text helpers of the emulator: case folding, base64url, random ids, timestamps.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace graphsim {

// ASCII lower-case copy (Graph compares paths, property names and GUIDs case-insensitively).
std::string to_lower(std::string_view s);
// True if a and b are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
// True if s starts with prefix ignoring ASCII case.
bool istarts_with(std::string_view s, std::string_view prefix);
// True if s ends with suffix ignoring ASCII case.
bool iends_with(std::string_view s, std::string_view suffix);
// s without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

// Base64url without padding (RFC 4648 §5), as JWTs and Graph thumbprints use it.
std::string base64url_encode(std::string_view bytes);
// Decodes base64url with or without padding; nullopt on any character outside the alphabet.
std::optional<std::string> base64url_decode(std::string_view text);

// A random lower-case GUID (version 4 layout) drawn from rng.
std::string random_guid(std::mt19937_64& rng);
// A random opaque token of n bytes, base64url-encoded.
std::string random_token(std::mt19937_64& rng, std::size_t n);

// Now in UTC as "2025-02-13T10:17:06" (Graph innerError.date).
std::string utc_date_now();
// Now in UTC as "2025-02-13 10:17:06Z" (AADSTS timestamp).
std::string utc_timestamp_now();

// FNV-1a 64-bit hash of s continuing from h (page-token checksums; not a security boundary).
std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 14695981039346656037ull);

}  // namespace graphsim
