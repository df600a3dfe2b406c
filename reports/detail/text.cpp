#include "reports/detail/text.hpp"

#include "base/utf8.hpp"

#include <array>
#include <cstdint>

namespace reports {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view hex = "0123456789abcdef";

using base::utf8_sequence_length;

void append_u_escape(std::string& out, unsigned code) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += hex[(code >> shift) & 0xF];
}

}  // namespace

bool is_control(char c) {
  auto const u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += replacement;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    if (is_control(c)) {
      out += replacement;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

void append_script_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (std::size_t i = 0; i < text.size();) {
    const auto n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (n == 3 && c == 0xE2 && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xA8 || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      // U+2028/U+2029 end a line in older JavaScript parsers.
      append_u_escape(out, static_cast<unsigned char>(text[i + 2]) == 0xA8 ? 0x2028 : 0x2029);
    } else if (n > 1) {
      out.append(text.substr(i, n));
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\ufffd";  // the HTML report shows controls as U+FFFD, like every other text output
    } else if (c == '<' || c == '>' || c == '&') {
      append_u_escape(out, c);
    } else {
      out += static_cast<char>(c);
    }
    i += n;
  }
  out += '"';
}

void append_markdown_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\':
      case '|':
      case '*':
      case '_':
      case '`':
      case '[':
      case ']':
      case '<':
      case '>':
      case '#':
      case '&':
      case '~':
      case '!':
        out += '\\';
        out += c;
        break;
      default:
        if (is_control(c)) out += replacement;
        else out += c;
    }
  }
}

void append_controls_replaced(std::string& out, std::string_view text) {
  for (char c : text) {
    if (is_control(c)) out += replacement;
    else out += c;
  }
}

std::string sanitize_file_name(std::string_view text) {
  constexpr std::size_t max_length = 120;  // leaves room for a suffix and ".csv" under NAME_MAX (255)
  std::string out;
  for (char c : text.substr(0, max_length)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '@' || c == '-';
    out += ok ? c : '_';
  }
  // "." and ".." name directories, and a leading dot hides the file.
  if (!out.empty() && out[0] == '.') out[0] = '_';
  if (out.empty()) out.push_back('_');  // push_back, not = "_": g++ 12 warns falsely (-Wrestrict) on the assignment
  return out;
}

std::string readable_time(std::string_view iso) {
  const bool utc = iso.ends_with("Z") || iso.ends_with("+00:00");
  if (iso.size() < 16 || iso[4] != '-' || iso[10] != 'T' || iso[13] != ':' || !utc) return std::string(iso);
  return std::string(iso.substr(0, 10)) + " " + std::string(iso.substr(11, 5)) + " UTC";
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace reports
