// graphsim/detail/mix.hpp — the deterministic randomness of the synthetic tenant: splitmix64 hashing, a keyed
// bijection on 62 bits (so a user's id encodes its index), and lower-case GUID text.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace graphsim::mix {

// splitmix64's finaliser: a well-mixed 64-bit value from any 64-bit input.
constexpr std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A hash of several values; the order of the values matters.
constexpr std::uint64_t hash(std::uint64_t a, std::uint64_t b) {
  return splitmix(splitmix(a) ^ (b * 0xd6e8feb86659fd93ull));
}
constexpr std::uint64_t hash(std::uint64_t a, std::uint64_t b, std::uint64_t c) { return hash(hash(a, b), c); }
constexpr std::uint64_t hash(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  return hash(hash(a, b, c), d);
}

// A small stream of values seeded by a hash: each user draws its attributes from one of these.
class stream {
 public:
  constexpr explicit stream(std::uint64_t state) : state_(state) {}
  // The next 64-bit value.
  constexpr std::uint64_t next() { return splitmix(state_ += 0x9e3779b97f4a7c15ull); }
  // A value in [0, n) (n > 0); the modulo bias is irrelevant for test data.
  constexpr std::uint64_t below(std::uint64_t n) { return next() % n; }
  // True with probability per_mille / 1000.
  constexpr bool chance(unsigned per_mille) { return below(1000) < per_mille; }

 private:
  std::uint64_t state_;
};

// A bijection of [0, 2^62) keyed by key (4-round Feistel on two 31-bit halves), and its inverse.
constexpr std::uint64_t feistel_round(std::uint64_t key, unsigned round, std::uint64_t half) {
  return hash(key, round, half) & 0x7fffffffull;
}
constexpr std::uint64_t permute62(std::uint64_t key, std::uint64_t x) {
  std::uint64_t l = (x >> 31) & 0x7fffffffull, r = x & 0x7fffffffull;
  for (unsigned round = 0; round < 4; ++round) {
    std::uint64_t next = l ^ feistel_round(key, round, r);
    l = r;
    r = next;
  }
  return (l << 31) | r;
}
constexpr std::uint64_t unpermute62(std::uint64_t key, std::uint64_t y) {
  std::uint64_t l = (y >> 31) & 0x7fffffffull, r = y & 0x7fffffffull;
  for (unsigned round = 4; round-- > 0;) {
    std::uint64_t prev = r ^ feistel_round(key, round, l);
    r = l;
    l = prev;
  }
  return (l << 31) | r;
}

// A GUID as two 64-bit halves (hi = the first 16 hex digits as written).
struct guid {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  friend constexpr bool operator==(const guid&, const guid&) = default;
};

// A random-looking version-4 GUID from a hash (version nibble 4, variant 10xx as Entra object ids).
constexpr guid v4_guid(std::uint64_t h1, std::uint64_t h2) {
  return {(h1 & ~0xf000ull) | 0x4000ull, (h2 & 0x3fffffffffffffffull) | 0x8000000000000000ull};
}

// Writes g as 36 lower-case characters (8-4-4-4-12) into out.
inline void format_guid(const guid& g, char* out) {
  static constexpr char digits[] = "0123456789abcdef";
  int pos = 0;
  for (int n = 0; n < 32; ++n) {
    if (n == 8 || n == 12 || n == 16 || n == 20) out[pos++] = '-';
    std::uint64_t half = n < 16 ? g.hi : g.lo;
    out[pos++] = digits[(half >> (60 - 4 * (n % 16))) & 0xf];
  }
}

// g as a lower-case GUID string.
inline std::string to_string(const guid& g) {
  std::string s(36, '0');
  format_guid(g, s.data());
  return s;
}

// Parses a GUID in 8-4-4-4-12 form, any case; nullopt when text is not one.
inline std::optional<guid> parse_guid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  guid g;
  int n = 0;
  for (std::size_t i = 0; i < 36; ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    unsigned v;
    if (c >= '0' && c <= '9') v = unsigned(c - '0');
    else if (c >= 'a' && c <= 'f') v = unsigned(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v = unsigned(c - 'A' + 10);
    else return std::nullopt;
    std::uint64_t& half = n < 16 ? g.hi : g.lo;
    half = (half << 4) | v;
    ++n;
  }
  return g;
}

// text's GUID in lower case, or text unchanged when it is not a GUID (so unknown ids still compare exactly).
inline std::string normalise_guid(std::string_view text) {
  auto g = parse_guid(text);
  return g ? to_string(*g) : std::string(text);
}

}  // namespace graphsim::mix
