// Fuzzes scanner::parse_user_page: any byte string must give a page or an error, never a crash or a leak.
#include "scanner/parse_users.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const body(reinterpret_cast<const char*>(data), size);
  auto page = scanner::parse_user_page(body);
  if (page) {
    // Every license and state must belong to a user of the page: the parser attaches them as it reads.
    for (auto const& l : page->page.licenses)
      if (l.user_id.empty() || l.sku_id.empty()) __builtin_trap();
  } else if (page.error().message.empty()) {
    __builtin_trap();  // an error must say what went wrong
  }
  return 0;
}
