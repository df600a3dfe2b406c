// reports/detail/json_writer.hpp — RapidJSON's Writer over an output_file, with strings made valid UTF-8 first
// (private to reports; keeps rapidjson out of the public headers).
#pragma once

#include "reports/detail/output_file.hpp"
#include "reports/detail/text.hpp"

#include <rapidjson/writer.h>

#include <optional>
#include <string_view>

namespace reports {

class json_writer {
 public:
  explicit json_writer(output_file& out) : stream_{&out}, writer_(stream_) {}

  void key(std::string_view k) { writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void string(std::string_view s) {
    // Graph returns UTF-8, but a database edited by hand may not: never emit invalid JSON text.
    if (is_valid_utf8(s)) {
      writer_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    } else {
      const auto fixed = valid_utf8(s);
      writer_.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()));
    }
  }
  void integer(std::int64_t v) { writer_.Int64(v); }
  void real(double v) { writer_.Double(v); }
  void boolean(bool b) { writer_.Bool(b); }
  void optional_bool(const std::optional<bool>& b) {
    if (b) writer_.Bool(*b);
    else writer_.Null();
  }
  void null() { writer_.Null(); }
  // A ';'-separated list cell as an array of its non-empty items.
  void list(std::string_view cell) {
    writer_.StartArray();
    while (!cell.empty()) {
      const auto end = cell.find(';');
      const auto item = cell.substr(0, end);
      if (!item.empty()) string(item);
      cell = end == std::string_view::npos ? std::string_view() : cell.substr(end + 1);
    }
    writer_.EndArray();
  }
  void start_object() { writer_.StartObject(); }
  void end_object() { writer_.EndObject(); }
  void start_array() { writer_.StartArray(); }
  void end_array() { writer_.EndArray(); }
  void member(std::string_view k, std::string_view v) {
    key(k);
    string(v);
  }
  void member(std::string_view k, std::int64_t v) {
    key(k);
    integer(v);
  }

 private:
  json_stream stream_;
  rapidjson::Writer<json_stream> writer_;
};

}  // namespace reports
