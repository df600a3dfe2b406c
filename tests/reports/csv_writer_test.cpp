#include "reports/csv_writer.hpp"

#include <doctest/doctest.h>

TEST_CASE("a plain cell is written as is") {
  std::string out;
  reports::append_csv_cell(out, "alice@contoso.com");
  CHECK(out == "alice@contoso.com");
}

TEST_CASE("a cell with a comma, quote or newline is quoted with quotes doubled") {
  std::string out;
  reports::append_csv_row(out, std::string("a,b"), std::string("say \"hi\""), std::string("two\nlines"));
  CHECK(out == "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n");
}

TEST_CASE("cells starting with a formula character are neutralised with a leading quote") {
  for (std::string const text : {"=1+2", "+SUM(A1)", "-2", "@cmd", "\tx", "\rx"}) {
    std::string out;
    reports::append_csv_cell(out, text);
    CHECK(out.find('\'') != std::string::npos);
    CHECK(out.find("'" + text) != std::string::npos);
  }
}

TEST_CASE("an empty cell stays empty") {
  std::string out;
  reports::append_csv_row(out, std::string(), std::string("x"));
  CHECK(out == ",x\r\n");
}

TEST_CASE("quotes at either end and in a row are each doubled") {
  auto cell = [](std::string_view text) {
    std::string out;
    reports::append_csv_cell(out, text);
    return out;
  };
  CHECK(cell("\"") == "\"\"\"\"");
  CHECK(cell("\"\"") == "\"\"\"\"\"\"");
  CHECK(cell("\"a, b\"") == "\"\"\"a, b\"\"\"");
  CHECK(cell("x\"\"y,") == "\"x\"\"\"\"y,\"");
  CHECK(cell("no quote, a comma") == "\"no quote, a comma\"");
}
