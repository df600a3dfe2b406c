// graphsim/detail/json_out.hpp — the two writer calls every emulator JSON body is made of (string_view in, no copies).
#pragma once

#include "graphsim/detail/tenant.hpp"

#include <cstddef>
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

// Writes a servicePlanInfo array; enabled(n) says whether plan n is on ("Success") or off ("Disabled").
template <class Plans, class Enabled>
void service_plans(json_writer& w, const Plans& plans, Enabled enabled) {
  w.StartArray();
  for (std::size_t n = 0; n < plans.size(); ++n) {
    w.StartObject();
    key(w, "servicePlanId");
    string(w, plans[n].id);
    key(w, "servicePlanName");
    string(w, plans[n].name);
    key(w, "provisioningStatus");
    string(w, enabled(n) ? "Success" : "Disabled");
    key(w, "appliesTo");
    string(w, plans[n].applies_to);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace graphsim::json_out
