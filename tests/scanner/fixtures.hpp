// tests/scanner/fixtures.hpp — the Graph payloads under tests/data/graph/ (provenance in SOURCES.md there).
#pragma once

#include "support.hpp"

#include <string>

namespace scanner_test {

// The text of tests/data/graph/<name>; fails the test when missing.
inline std::string fixture(const std::string& name) {
  auto const path = std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests" / "data" / "graph" / name;
  if (!std::filesystem::exists(path)) throw std::runtime_error("missing fixture " + path.string());
  return test_support::read_file(path);
}

}  // namespace scanner_test

// Requires a base::result to hold a value, showing its error message when it does not.
#define REQUIRE_OK(r) REQUIRE_MESSAGE((r).has_value(), ((r).has_value() ? std::string() : (r).error().message))
