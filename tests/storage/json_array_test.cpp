#include "storage/detail/json_array.hpp"

#include <doctest/doctest.h>

using storage::detail::from_json_array;
using storage::detail::to_json_array;

TEST_CASE("a list of strings round-trips through its JSON array text") {
  const std::vector<std::string> items{"",
                                       "plain",
                                       "quote \" backslash \\ slash /",
                                       "line\nbreak\ttab\r",
                                       std::string("\x01\x1f", 2),
                                       "emoji 🦄 and RTL עברית"};
  CHECK(from_json_array(to_json_array(items)) == items);
  CHECK(to_json_array({}) == "[]");
  CHECK(to_json_array({"a", "b"}) == R"(["a","b"])");
}

TEST_CASE("JSON arrays written by other tools are read, surrogate pairs included") {
  CHECK(from_json_array(R"([ "a" , "\u00e9", "\ud83e\udd84" ])") == std::vector<std::string>{"a", "é", "🦄"});
}
