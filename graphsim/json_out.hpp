// graphsim/json_out.hpp — the two writer calls every emulator JSON body is made of (string_view in, no copies).
#pragma once

#include "graphsim/tenant.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace graphsim::json_out {

// Writes an object key.
inline void key(json_writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }

// Writes a string value.
inline void string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// Writes a string value, or null when absent.
inline void optional_string(json_writer& w, const std::optional<std::string>& s) {
  if (s) string(w, *s);
  else w.Null();
}

}  // namespace graphsim::json_out
