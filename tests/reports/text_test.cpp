#include "reports/detail/text.hpp"

#include <doctest/doctest.h>

TEST_CASE("HTML escaping covers the five characters that can change markup") {
  std::string out;
  reports::append_html_escaped(out, "<a href='x'>\"&\"</a>");
  CHECK(out == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
}

TEST_CASE("JSON for a script element escapes < > & and the JavaScript line separators") {
  std::string out;
  reports::append_script_json_string(out, "</script>&\xE2\x80\xA8\xE2\x80\xA9\"\\\n\xF0\x9F\x98\x80");
  CHECK(out == "\"\\u003c/script\\u003e\\u0026\\u2028\\u2029\\\"\\\\\\ufffd\xF0\x9F\x98\x80\"");
}

TEST_CASE("invalid UTF-8 is replaced, valid text is kept byte for byte") {
  CHECK(reports::is_valid_utf8("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x98\x80"));
  CHECK_FALSE(reports::is_valid_utf8("\xC0\xAF"));      // overlong '/'
  CHECK_FALSE(reports::is_valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK(reports::valid_utf8("a\xFF"
                            "b") ==
        "a\xEF\xBF\xBD"
        "b");
}

TEST_CASE("terminal text shows U+FFFD for control characters instead of obeying them") {
  std::string out;
  reports::append_controls_replaced(out, std::string("a\x1b[31mb\n\0\x7F", 10));
  CHECK(out == "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("HTML and Markdown text show U+FFFD for NUL, other C0 controls and DEL") {
  std::string const hostile(
      "a\0b\x01"
      "c\x1f\x7F\td\r\ne",
      12);
  std::string const expected =
      "a\xEF\xBF\xBD"
      "b\xEF\xBF\xBD"
      "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
      "d\xEF\xBF\xBD\xEF\xBF\xBD"
      "e";
  std::string html, md;
  reports::append_html_escaped(html, hostile);
  reports::append_markdown_escaped(md, hostile);
  CHECK(html == expected);
  CHECK(md == expected);
}

TEST_CASE("owner file names keep only safe characters and never start with a dot") {
  CHECK(reports::sanitize_file_name("alice@contoso.com") == "alice@contoso.com");
  CHECK(reports::sanitize_file_name("../../etc/passwd") == "_._.._etc_passwd");
  CHECK(reports::sanitize_file_name("a b/c") == "a_b_c");
  CHECK(reports::sanitize_file_name("") == "_");
  CHECK(reports::sanitize_file_name(std::string(300, 'x')).size() == 120);
}

TEST_CASE("UTC timestamps read as date, minutes and UTC, other text is kept") {
  CHECK(reports::readable_time("2026-11-23T02:03:41Z") == "2026-11-23 02:03 UTC");
  CHECK(reports::readable_time("2026-11-23T02:03:41.123+00:00") == "2026-11-23 02:03 UTC");
  CHECK(reports::readable_time("yesterday") == "yesterday");
  CHECK(reports::readable_time("") == "");
}
