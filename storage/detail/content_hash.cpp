#include "storage/detail/content_hash.hpp"

#include <array>
#include <cstring>

namespace storage::detail {

void content_hasher::bytes(const void* p, std::size_t n) {
  auto const* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) {
    h_ ^= b[i];
    h_ *= 1099511628211ULL;
  }
}

void content_hasher::add(std::string_view text) {
  auto const n = static_cast<std::uint64_t>(text.size());
  bytes(&n, sizeof n);
  bytes(text.data(), text.size());
}

void content_hasher::add(std::optional<bool> flag) {
  unsigned char const v = !flag ? 2 : (*flag ? 1 : 0);
  bytes(&v, 1);
}

void content_hasher::add(std::int64_t value) { bytes(&value, sizeof value); }

namespace {

// splitmix64's finalizer: a bijective mix, so distinct inputs stay distinct.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A second hash, independent of FNV-1a: 8 bytes at a time through mix(), seeded apart from the first.
std::uint64_t chunked(std::string_view s, std::uint64_t h) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, 8);
    h = mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail ^ (static_cast<std::uint64_t>(s.size()) << 56));
}

}  // namespace

id_key key_of(std::string_view id, std::string_view second) {
  content_hasher first;
  first.add(id);
  first.add(second);
  std::uint64_t const other = chunked(second, chunked(id, 0x243f6a8885a308d3ULL));
  return {static_cast<std::uint64_t>(first.value()), static_cast<std::uint32_t>(other >> 32)};
}

}  // namespace storage::detail
