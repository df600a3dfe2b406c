// Fuzzes scanner::parse_batch_response and, for every item it yields, parse_license_details on the item's body
// (the path a fetch-mode scan takes).
#include "scanner/detail/parse_batch.hpp"
#include "scanner/detail/parse_license_details.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const body(reinterpret_cast<const char*>(data), size);
  auto items = scanner::parse_batch_response(body);
  if (!items) return 0;
  for (auto const& item : *items) {
    if (item.status < 100 || item.status > 599) __builtin_trap();
    (void)item.header("retry-after");
    (void)scanner::parse_license_details("00000000-0000-0000-0000-000000000000", item.body);
  }
  return 0;
}
