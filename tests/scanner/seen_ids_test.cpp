#include "scanner/detail/seen_ids.hpp"

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <string>

TEST_CASE("an id is new once and seen every time after, across the table's growth") {
  scanner::seen_ids seen;
  for (int i = 0; i < 100'000; ++i) REQUIRE(seen.insert(fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i * 7)));
  CHECK(seen.size() == 100'000);
  for (int i = 0; i < 100'000; i += 997)
    CHECK_FALSE(seen.insert(fmt::format("{:08x}-0000-4000-8000-{:012x}", i, i * 7)));
  CHECK(seen.size() == 100'000);
  CHECK(seen.insert(""));
  CHECK_FALSE(seen.insert(""));
}
