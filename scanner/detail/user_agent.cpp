#include "scanner/detail/user_agent.hpp"

#include "base/version.hpp"

namespace scanner {

const std::string& user_agent() {
  static const std::string value = std::string("entra-audit/") + base::version;
  return value;
}

}  // namespace scanner
