// Fuzzes audit::read_idp_events (what `entra-audit ingest` reads from an identity provider's log) in every format:
// whatever the bytes, it returns (no crash, no hang) and every stored field it gives is valid UTF-8 without controls.
#include "audit/idp_events.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const text(reinterpret_cast<const char*>(data), size);
  for (auto format : {audit::idp_format::detect, audit::idp_format::okta_log, audit::idp_format::okta_csv,
                      audit::idp_format::okta_text, audit::idp_format::generic_csv}) {
    auto const read = audit::read_idp_events(text, "fuzz", format);
    for (const auto& e : read.events)
      for (const auto* field : {&e.error_code, &e.error_message, &e.user_principal_name})
        for (unsigned char c : *field)
          if (c < 0x20 || c == 0x7f) std::abort();
  }
  return 0;
}
