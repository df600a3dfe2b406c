#include "storage/detail/json_array.hpp"

#include "base/utf8.hpp"

#include <cstdint>

namespace storage::detail {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_escaped(std::string& out, std::string_view s) {
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex_digits[c >> 4];
          out += hex_digits[c & 0xf];
        } else {
          out += ch;  // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
}

// Reads 4 hex digits at json[i]; -1 when they are not there.
long read_hex4(std::string_view json, std::size_t i) {
  if (i + 4 > json.size()) return -1;
  long v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const char c = json[i + k];
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

}  // namespace

std::string to_json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    append_escaped(out, items[i]);
  }
  out += ']';
  return out;
}

std::vector<std::string> from_json_array(std::string_view json) {
  std::vector<std::string> items;
  std::size_t i = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      ++i;  // brackets, commas and whitespace between the strings
      continue;
    }
    std::string item;
    ++i;
    while (i < json.size() && json[i] != '"') {
      if (json[i] != '\\') {
        item += json[i++];
        continue;
      }
      if (++i >= json.size()) return items;
      const char e = json[i++];
      switch (e) {
        case 'n':
          item += '\n';
          break;
        case 'r':
          item += '\r';
          break;
        case 't':
          item += '\t';
          break;
        case 'b':
          item += '\b';
          break;
        case 'f':
          item += '\f';
          break;
        case 'u': {
          long cp = read_hex4(json, i);
          if (cp < 0) return items;
          i += 4;
          // A surrogate pair (written by other JSON writers, e.g. SQLite's json functions) is one code point.
          if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= json.size() && json[i] == '\\' && json[i + 1] == 'u') {
            const long low = read_hex4(json, i + 2);
            if (low >= 0xdc00 && low < 0xe000) {
              cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
              i += 6;
            }
          }
          base::append_utf8(item, static_cast<std::uint32_t>(cp));
          break;
        }
        default:
          item += e;  // \" \\ \/
      }
    }
    ++i;  // the closing quote
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace storage::detail
