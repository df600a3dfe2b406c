#include "scanner/user_agent.hpp"

// The version lives in the header CMake generates from project(VERSION); reading it here keeps one source of truth
// (it is build output, not app code, so the layering holds).
#if __has_include("app/version.hpp")
#include "app/version.hpp"
#define ENTRA_AUDIT_SCANNER_VERSION ::app::version
#else
#define ENTRA_AUDIT_SCANNER_VERSION "0"
#endif

namespace scanner {

const std::string& user_agent() {
  static const std::string value = std::string("entra-audit/") + ENTRA_AUDIT_SCANNER_VERSION;
  return value;
}

}  // namespace scanner
