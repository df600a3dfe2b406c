#include "audit/detail/csv_reader.hpp"

#include <doctest/doctest.h>

namespace {

std::vector<std::vector<std::string>> read_all(std::string_view text) {
  audit::csv_reader reader{text};
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (reader.next(fields)) rows.push_back(fields);
  return rows;
}

}  // namespace

TEST_CASE("quoted fields keep commas, doubled quotes and line breaks") {
  auto rows = read_all("a,\"b, c\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,,\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"a", "b, c", "say \"hi\"", "two\nlines"});
  CHECK(rows[1] == std::vector<std::string>{"x", "", ""});
}

TEST_CASE("a BOM is skipped, CRLF ends records and a missing final newline is fine") {
  auto rows = read_all("\xEF\xBB\xBFh1,h2\r\nv1,v2");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"h1", "h2"});
  CHECK(rows[1] == std::vector<std::string>{"v1", "v2"});
}

TEST_CASE("blank lines are skipped and line numbers count the lines of quoted fields") {
  audit::csv_reader reader{"a\n\n\"b\nc\"\nd\n"};
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields));
  CHECK(reader.line() == 1);
  REQUIRE(reader.next(fields));
  CHECK(reader.line() == 3);
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"d"});
  CHECK(reader.line() == 5);
  CHECK_FALSE(reader.next(fields));
}

TEST_CASE("an unterminated quote ends at the end of the text instead of failing") {
  auto rows = read_all("a,\"never closed\nb");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0] == std::vector<std::string>{"a", "never closed\nb"});
}

TEST_CASE("a semicolon delimiter can be chosen") {
  audit::csv_reader reader{"a;b,c\n", ';'};
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"a", "b,c"});
}
