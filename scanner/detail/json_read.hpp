// scanner/detail/json_read.hpp — RapidJSON helpers shared by the scanner's parsers (internal: includes RapidJSON).
//
// Graph payloads carry fields we do not know (servicePlanType, @odata.type, ...), nulls where the docs promise
// values, and GUIDs in any case; these helpers read leniently and normalise, so every parser agrees.
#pragma once

#include "base/error.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scanner::json {

using value = rapidjson::Value;

// Parses body as one JSON document (UTF-8 validated, no recursion, nothing after it); the error names what
// and where ("cannot parse <what>: <reason> at offset N").
base::result<void> parse(rapidjson::Document& doc, std::string_view body, std::string_view what);
// Like parse, decoding in place a copy of body that it writes into buffer: doc's strings point into buffer
// (which must outlive them), so none is copied one by one; the hot path of a users page. Same checks and errors.
base::result<void> parse_in_place(rapidjson::Document& doc, std::string_view body, std::string& buffer,
                                  std::string_view what);

// The member key of obj, or nullptr when obj is not an object or has no such member.
const value* member(const value& obj, std::string_view key);
// Like member(), comparing keys case-insensitively (Graph's innerError / innererror).
const value* member_nocase(const value& obj, std::string_view key);

// The string at key; empty when missing, null or not a string.
std::string string_or_empty(const value& obj, std::string_view key);
// The string at key; nullopt when missing, null or not a string.
std::optional<std::string> optional_string(const value& obj, std::string_view key);
// The boolean at key; nullopt when missing, null or not a boolean.
std::optional<bool> optional_bool(const value& obj, std::string_view key);
// The integer at key; nullopt when missing, null, not a number or out of range.
std::optional<std::int64_t> optional_int(const value& obj, std::string_view key);
// The strings of the array at key (non-strings skipped); empty when missing or null.
std::vector<std::string> string_array(const value& obj, std::string_view key, bool lower_case = false);

// ASCII lower-case copy (GUIDs are compared and stored lower-case).
std::string lower(std::string_view s);

// Values nested deeper than this are refused before anything walks them recursively (Graph nests < 10).
inline constexpr std::size_t max_depth = 64;
// True if v nests arrays/objects deeper than max_depth (checked without recursion).
bool too_deep(const value& v);
// The compact JSON text of v; v must not be too_deep() (the writer recurses).
std::string serialize(const value& v);

}  // namespace scanner::json
