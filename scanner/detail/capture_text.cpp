#include "scanner/detail/capture_text.hpp"

#include <boost/url/pct_string_view.hpp>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace scanner::capture_text {

std::size_t string_end(std::string_view text, std::size_t open) {
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i;
    }
  }
  return std::string_view::npos;
}

std::string decode_json_string(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);  // most values: nothing to decode
  std::string literal = "\"";
  literal.append(raw);
  literal += '"';
  rapidjson::Document doc;
  doc.Parse(literal.data(), literal.size());
  if (doc.HasParseError() || !doc.IsString()) return std::string(raw);
  return std::string(doc.GetString(), doc.GetStringLength());
}

std::string json_string(std::string_view value) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  return std::string(text.GetString(), text.GetSize());
}

std::string percent_decode(std::string_view text) {
  auto const encoded = boost::urls::make_pct_string_view(text);
  return encoded ? encoded->decode() : std::string(text);
}

std::string map_odata_literals(std::string_view text, const std::function<std::string(std::string_view)>& f) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\'') {
      out += text[i];
      continue;
    }
    // A literal runs to the next lone quote; '' inside it is one quote.
    std::string value;
    std::size_t j = i + 1;
    bool closed = false;
    for (; j < text.size(); ++j) {
      if (text[j] != '\'') {
        value += text[j];
      } else if (j + 1 < text.size() && text[j + 1] == '\'') {
        value += '\'';
        ++j;
      } else {
        closed = true;
        break;
      }
    }
    out += '\'';
    for (char c : f(value)) {
      out += c;
      if (c == '\'') out += '\'';
    }
    if (closed) out += '\'';
    i = j;
  }
  return out;
}

}  // namespace scanner::capture_text
