#include "base/log.hpp"

#include "base/redact.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Restores the process-wide log settings the other tests expect.
struct log_settings_guard {
  ~log_settings_guard() { base::configure_log(base::log_level::info, base::log_format::text); }
};

}  // namespace

TEST_CASE("under --log-format json every record and closing line is one JSON object, controls and bad UTF-8 escaped") {
  log_settings_guard restore;
  test_support::stderr_capture captured;
  base::configure_log(base::log_level::debug, base::log_format::json);
  base::log(base::log_level::warn, "retrying {} (attempt {} of {})", "GET x", 2, 6);
  base::print_outcome(base::log_level::info, "scan 1 complete");
  base::print_outcome(base::log_level::error, std::string("a\0b\x1b[31m \xC3\x28 \"q\"\n", 16));
  auto const lines = lines_of(captured.text());
  REQUIRE(lines.size() == 3);
  std::vector<std::string> levels, messages;
  for (auto const& line : lines) {
    CAPTURE(line);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    levels.emplace_back(doc["level"].GetString());
    messages.emplace_back(doc["message"].GetString(), doc["message"].GetStringLength());
  }
  CHECK(levels == std::vector<std::string>{"warn", "info", "error"});
  CHECK(messages[0] == "retrying GET x (attempt 2 of 6)");
  CHECK(messages[1] == "scan 1 complete");
  CHECK(messages[2] == std::string("a\0b\x1b[31m \xEF\xBF\xBD( \"q\"\n", 18));
}

TEST_CASE("a text closing line starts with entra-audit: and shows controls as \\xNN on one line") {
  log_settings_guard restore;
  test_support::stderr_capture captured;
  base::configure_log(base::log_level::info, base::log_format::text);
  base::print_outcome(base::log_level::error, "cannot read x:\nsecond line\x1b[2J");
  CHECK(captured.text() == "entra-audit: cannot read x:\\x0asecond line\\x1b[2J\n");
}

TEST_CASE("log records and closing lines never carry a registered secret, in any encoding") {
  log_settings_guard restore;
  base::register_secret("log/secret+value=42", base::secret_kind::credential);
  test_support::stderr_capture captured;
  base::configure_log(base::log_level::debug, base::log_format::text);
  base::log(base::log_level::debug, "body client_secret=log%2Fsecret%2Bvalue%3D42&x=1");
  base::print_outcome(base::log_level::error, R"(echo: {"s":"log\/secret+value=42"})");
  auto const text = captured.text();
  CHECK(text.find("secret+value") == std::string::npos);
  CHECK(text.find("secret%2B") == std::string::npos);
  CHECK(text.find("client_secret=[redacted]&x=1") != std::string::npos);
  CHECK(text.find(R"({"s":"[redacted]"})") != std::string::npos);
}
