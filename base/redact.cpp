#include "base/redact.hpp"

#include "base/utf8.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

namespace base {
namespace {

constexpr std::string_view placeholder = "[redacted]";
constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// A base64 run shorter than this (a secret of fewer than ~5 bytes) would hide unrelated base64 text too.
constexpr std::size_t min_base64_run = 6;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int hex4(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    int const h = hex_value(text[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

// One way to read the text at a position: the bytes it stands for and how many characters it takes.
struct reading {
  std::string bytes;
  std::size_t used = 0;
};

// The escape that starts at text[pos], decoded (percent, form '+', JSON backslash), if there is one.
std::optional<reading> decoded_at(std::string_view text, std::size_t pos) {
  char const c = text[pos];
  if (c == '+') return reading{" ", 1};
  if (c == '%' && pos + 2 < text.size()) {
    int const hi = hex_value(text[pos + 1]), lo = hex_value(text[pos + 2]);
    if (hi >= 0 && lo >= 0) return reading{std::string(1, static_cast<char>(hi * 16 + lo)), 3};
    return std::nullopt;
  }
  if (c != '\\' || pos + 1 >= text.size()) return std::nullopt;
  switch (text[pos + 1]) {
    case '"':
      return reading{"\"", 2};
    case '\\':
      return reading{"\\", 2};
    case '/':
      return reading{"/", 2};
    case 'b':
      return reading{"\b", 2};
    case 'f':
      return reading{"\f", 2};
    case 'n':
      return reading{"\n", 2};
    case 'r':
      return reading{"\r", 2};
    case 't':
      return reading{"\t", 2};
    case 'u':
      break;
    default:
      return std::nullopt;
  }
  int const unit = hex4(text, pos + 2);
  if (unit < 0) return std::nullopt;
  reading r;
  r.used = 6;
  unsigned cp = static_cast<unsigned>(unit);
  if (cp >= 0xD800 && cp <= 0xDBFF && pos + 12 <= text.size() && text[pos + 6] == '\\' && text[pos + 7] == 'u') {
    int const low = hex4(text, pos + 8);
    if (low >= 0xDC00 && low <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<unsigned>(low) - 0xDC00);
      r.used = 12;
    }
  }
  append_utf8(r.bytes, cp);
  return r;
}

bool reads_as(std::string_view bytes, std::string_view needle, std::size_t k) {
  return needle.size() - k >= bytes.size() && needle.compare(k, bytes.size(), bytes) == 0;
}

// True if the text from start reads as needle under any mix of the encodings; end is where the match stops.
// Where a character reads both literally and as an escape ("%25" when the needle has '%'), both are tried, each
// (position, needle offset) at most once, so the search stays linear in the text it covers.
bool match_at(std::string_view text, std::size_t start, std::string_view needle, std::size_t& end) {
  std::vector<std::pair<std::size_t, std::size_t>> alternatives;  // (pos, k) whose decoded reading is untried
  std::set<std::pair<std::size_t, std::size_t>> branched;
  std::size_t pos = start, k = 0;
  bool decoded_only = false;
  for (;;) {
    if (k == needle.size()) {
      end = pos;
      return true;
    }
    bool advanced = false;
    if (pos < text.size()) {
      auto const escape = decoded_at(text, pos);
      bool const literal = !decoded_only && text[pos] == needle[k];
      if (literal && escape && reads_as(escape->bytes, needle, k)) {
        if (branched.insert({pos, k}).second) alternatives.emplace_back(pos, k);
      }
      if (literal) {
        ++pos;
        ++k;
        advanced = true;
      } else if (escape && reads_as(escape->bytes, needle, k)) {
        pos += escape->used;
        k += escape->bytes.size();
        advanced = true;
      }
    }
    decoded_only = false;
    if (advanced) continue;
    if (alternatives.empty()) return false;
    std::tie(pos, k) = alternatives.back();
    alternatives.pop_back();
    decoded_only = true;
  }
}

std::string base64(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned const v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += base64_alphabet[(v >> s) & 0x3F];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    std::size_t const chars = bytes.size() - i + 1;
    for (std::size_t c = 0; c < chars; ++c) out += base64_alphabet[(v >> (18 - 6 * c)) & 0x3F];
  }
  return out;
}

// The base64 characters that only the secret's bytes determine, for each of the three alignments the secret can
// have inside a longer encoded text (e.g. after "client_id:" in an HTTP Basic header), in both alphabets.
std::vector<std::string> base64_runs(std::string_view secret) {
  std::vector<std::string> runs;
  std::size_t const n = secret.size();
  for (std::size_t k = 0; k < 3; ++k) {
    std::string const encoded = base64(std::string(k, '\0') + std::string(secret));
    std::size_t const first = (8 * k + 5) / 6;
    std::size_t const last = (8 * k + 8 * n) / 6;  // one past the last fully determined character
    if (last <= first || last - first < min_base64_run) continue;
    std::string run = encoded.substr(first, last - first);
    runs.push_back(run);
    std::replace(run.begin(), run.end(), '+', '-');
    std::replace(run.begin(), run.end(), '/', '_');
    runs.push_back(std::move(run));
  }
  return runs;
}

std::mutex g_mutex;
redactor g_redactor;

}  // namespace

void redactor::add(std::string_view secret, secret_kind kind) {
  if (secret.size() < min_secret_length) return;
  auto const add_needle = [this](std::string needle) {
    if (std::find(needles_.begin(), needles_.end(), needle) == needles_.end()) needles_.push_back(std::move(needle));
  };
  add_needle(std::string(secret));
  if (kind == secret_kind::credential)
    for (auto& run : base64_runs(secret)) add_needle(std::move(run));
}

std::string redactor::apply(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char const c = text[i];
    std::size_t best = i;
    for (auto const& needle : needles_) {
      if (c != needle[0] && c != '%' && c != '+' && c != '\\') continue;
      std::size_t end = 0;
      if (match_at(text, i, needle, end)) best = std::max(best, end);
    }
    if (best > i) {
      out += placeholder;
      i = best;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

void register_secret(std::string_view secret, secret_kind kind) {
  std::lock_guard lock(g_mutex);
  g_redactor.add(secret, kind);
}

std::string redact(std::string_view text) {
  std::lock_guard lock(g_mutex);
  if (g_redactor.empty()) return std::string(text);
  return g_redactor.apply(text);
}

}  // namespace base
