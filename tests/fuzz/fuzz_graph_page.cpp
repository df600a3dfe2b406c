// Fuzzes the parsers of Graph collection pages: users (parse_user_page) and the tenant facts (organization,
// subscribedSkus, directory subscriptions) on the same input — any byte string must give a value or an error
// that says what went wrong, never a crash, a leak or undefined behaviour.
#include "scanner/detail/parse_tenant.hpp"
#include "scanner/detail/parse_users.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const body(reinterpret_cast<const char*>(data), size);
  auto page = scanner::parse_user_page(body);
  if (page) {
    for (auto const& l : page->page.licenses)
      if (l.user_id.empty() || l.sku_id.empty()) __builtin_trap();  // the parser refuses such pages
  } else if (page.error().message.empty()) {
    __builtin_trap();
  }
  (void)scanner::parse_organization(body);
  (void)scanner::parse_subscribed_skus(body);
  (void)scanner::parse_subscriptions(body);
  return 0;
}
