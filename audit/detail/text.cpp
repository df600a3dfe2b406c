#include "audit/detail/text.hpp"

#include <algorithm>

namespace audit {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Length of the blank at the front of s (0 when none): ASCII blanks or NBSP in UTF-8.
std::size_t blank_prefix(std::string_view s) {
  if (s.empty()) return 0;
  if (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') return 1;
  if (s.size() >= 2 && s[0] == '\xC2' && s[1] == '\xA0') return 2;
  return 0;
}

std::size_t blank_suffix(std::string_view s) {
  if (s.empty()) return 0;
  char c = s.back();
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return 1;
  if (s.size() >= 2 && s[s.size() - 2] == '\xC2' && c == '\xA0') return 2;
  return 0;
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (std::size_t n = blank_prefix(s)) s.remove_prefix(n);
  while (std::size_t n = blank_suffix(s)) s.remove_suffix(n);
  return s;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

std::string join(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += separator;
    out += values[i];
  }
  return out;
}

std::size_t ci_hash::operator()(std::string_view s) const noexcept {
  // FNV-1a over lower-cased bytes: keys are short (GUIDs, part numbers) and this avoids a lower-cased copy.
  std::size_t h = 1469598103934665603ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(lower(c));
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace audit
