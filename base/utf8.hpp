// base/utf8.hpp — UTF-8 validation shared by the log records and the reports (pure).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace base {

// Length of the valid UTF-8 sequence at text[i] (1 to 4), or 0 when it is invalid: RFC 3629's table, so overlongs,
// surrogates and code points above U+10FFFF are rejected.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Appends code point cp (at most U+10FFFF) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);

}  // namespace base
