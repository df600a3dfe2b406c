// Fuzzes scanner::parse_token_response (the login service's 200 answer) and describe_token_error (its errors).
#include "scanner/detail/token_response.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view const body(reinterpret_cast<const char*>(data), size);
  (void)scanner::parse_token_response(body);
  scanner::token_request_context const who{"tenant", "client", "secret", "https://login.example/token"};
  (void)scanner::describe_token_error(400, body, who);
  return 0;
}
