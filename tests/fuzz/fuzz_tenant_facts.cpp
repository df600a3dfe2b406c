// Fuzzes the tenant-fact parsers (organization, subscribedSkus, directory subscriptions) on the same input.
#include "scanner/parse_tenant.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const body(reinterpret_cast<const char*>(data), size);
  (void)scanner::parse_organization(body);
  (void)scanner::parse_subscribed_skus(body);
  (void)scanner::parse_subscriptions(body);
  return 0;
}
