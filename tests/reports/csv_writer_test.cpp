#include "reports/detail/csv_writer.hpp"

#include <doctest/doctest.h>

TEST_CASE("a plain cell is written as is") {
  std::string out;
  reports::append_csv_cell(out, "alice@contoso.com");
  CHECK(out == "alice@contoso.com");
}

TEST_CASE("a cell with a comma or quote is quoted with quotes doubled") {
  std::string out;
  reports::append_csv_row(out, std::string("a,b"), std::string("say \"hi\""), std::string("x"));
  CHECK(out == "\"a,b\",\"say \"\"hi\"\"\",x\r\n");
}

TEST_CASE("every C0 control and DEL in a cell becomes U+FFFD, so no raw NUL, line break or escape reaches a CSV") {
  std::string text;
  for (int c = 0; c < 0x20; ++c) text += static_cast<char>(c);
  text += '\x7F';
  std::string out;
  reports::append_csv_cell(out, "a" + text + "b");
  std::string expected = "a";
  for (int i = 0; i < 0x21; ++i) expected += "\xEF\xBF\xBD";
  CHECK(out == expected + "b");
  // A leading tab is a control, replaced: the cell no longer starts with a formula character.
  out.clear();
  reports::append_csv_cell(out, std::string("\0=1", 3));
  CHECK(out == "\xEF\xBF\xBD=1");
}

TEST_CASE("cells starting with a formula character are neutralised with a leading quote") {
  for (std::string const text : {"=1+2", "+SUM(A1)", "-2", "@cmd"}) {
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
