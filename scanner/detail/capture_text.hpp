// scanner/detail/capture_text.hpp — the text codecs the capture writer needs (pure): JSON string literals,
// percent-decoding and OData string literals, each read leniently (a body can be truncated or malformed: it is captured
// anyway).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace scanner::capture_text {

// The end of the JSON string literal whose opening quote is at text[open]: the index of its closing quote, or
// npos when the text ends first (a truncated body).
std::size_t string_end(std::string_view text, std::size_t open);

// The value of a JSON string literal's contents (between the quotes), escapes decoded; contents that do not decode
// (a broken escape) are returned as they are.
std::string decode_json_string(std::string_view raw);

// value as a JSON string literal, quotes included (", \ and control characters escaped, other bytes as they are).
std::string json_string(std::string_view value);

// Percent-decodes text ('+' is kept: Graph's query strings are not form-encoded); text with a broken %XY is
// returned as it is.
std::string percent_decode(std::string_view text);

// text with each OData string literal ('...', '' inside for a quote) rewritten by f (given and returning the
// literal's value, unquoted); the rest is kept.
std::string map_odata_literals(std::string_view text, const std::function<std::string(std::string_view)>& f);

}  // namespace scanner::capture_text
