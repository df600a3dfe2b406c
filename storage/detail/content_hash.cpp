#include "storage/detail/content_hash.hpp"

#include <algorithm>
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

void content_bytes::add(std::string_view text) {
  auto const n = static_cast<std::uint64_t>(text.size());
  out_.append(reinterpret_cast<const char*>(&n), sizeof n);
  out_.append(text);
}

void content_bytes::add(std::optional<bool> flag) { out_.push_back(static_cast<char>(!flag ? 2 : (*flag ? 1 : 0))); }

void content_bytes::add(std::int64_t value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }

void content_fingerprints(std::span<const std::string_view> in, std::span<std::int64_t> out) {
  constexpr std::uint64_t basis = 14695981039346656037ULL;
  constexpr std::uint64_t prime = 1099511628211ULL;
  constexpr std::size_t lanes = 4;
  struct lane {
    const unsigned char* p = nullptr;
    std::size_t left = 0;
    std::uint64_t h = basis;
    std::size_t index = 0;
    bool on = false;
  };
  std::array<lane, lanes> l{};
  std::size_t next = 0;
  // A lane that finished gives its value and takes the next input (an empty one finishes at once).
  auto refill = [&](lane& x) {
    while (x.on && x.left == 0) {
      out[x.index] = static_cast<std::int64_t>(x.h);
      x.on = false;
      if (next < in.size()) {
        x = {reinterpret_cast<const unsigned char*>(in[next].data()), in[next].size(), basis, next, true};
        ++next;
      }
    }
  };
  for (auto& x : l) {
    if (next < in.size()) {
      x = {reinterpret_cast<const unsigned char*>(in[next].data()), in[next].size(), basis, next, true};
      ++next;
    }
    refill(x);
  }
  for (;;) {
    if (l[0].on && l[1].on && l[2].on && l[3].on) {
      std::size_t const m = std::min(std::min(l[0].left, l[1].left), std::min(l[2].left, l[3].left));
      std::uint64_t h0 = l[0].h, h1 = l[1].h, h2 = l[2].h, h3 = l[3].h;
      const unsigned char *p0 = l[0].p, *p1 = l[1].p, *p2 = l[2].p, *p3 = l[3].p;
      for (std::size_t i = 0; i < m; ++i) {
        h0 = (h0 ^ p0[i]) * prime;
        h1 = (h1 ^ p1[i]) * prime;
        h2 = (h2 ^ p2[i]) * prime;
        h3 = (h3 ^ p3[i]) * prime;
      }
      l[0].h = h0, l[1].h = h1, l[2].h = h2, l[3].h = h3;
      for (auto& x : l) {
        x.p += m;
        x.left -= m;
        refill(x);
      }
      continue;
    }
    // Fewer inputs left than lanes: the rest one after the other.
    for (auto& x : l) {
      if (!x.on) continue;
      for (std::size_t i = 0; i < x.left; ++i) x.h = (x.h ^ x.p[i]) * prime;
      out[x.index] = static_cast<std::int64_t>(x.h);
      x.on = false;
    }
    return;
  }
}

namespace {
thread_local std::string spare_bytes;
thread_local std::vector<std::size_t> spare_ends;
}  // namespace

content_batch::content_batch() : bytes_(std::move(spare_bytes)), ends_(std::move(spare_ends)) {
  bytes_.clear();
  ends_.clear();
}

content_batch::~content_batch() {
  spare_bytes = std::move(bytes_);
  spare_ends = std::move(ends_);
}

std::vector<std::int64_t> content_batch::fingerprints() const {
  std::vector<std::string_view> rows;
  rows.reserve(ends_.size());
  std::size_t begin = 0;
  for (auto end : ends_) {
    rows.push_back(std::string_view(bytes_).substr(begin, end - begin));
    begin = end;
  }
  std::vector<std::int64_t> out(rows.size());
  content_fingerprints(rows, out);
  return out;
}

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
