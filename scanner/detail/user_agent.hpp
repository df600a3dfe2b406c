// scanner/detail/user_agent.hpp — the User-Agent every request carries.
#pragma once

#include <string>

namespace scanner {

// "entra-audit/<version>", the version being the CMake project version.
const std::string& user_agent();

}  // namespace scanner
