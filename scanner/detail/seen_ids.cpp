#include "scanner/detail/seen_ids.hpp"

#include <functional>

namespace scanner {
namespace {

// Finalizer of MurmurHash3 (public domain): spreads std::hash's bits over the whole word, so that the low bits
// that pick a slot are as good as the high ones.
std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace

bool seen_ids::insert(std::string_view id) {
  if ((size_ + 1) * 4 > slots_.size() * 3) grow();  // load at most 3/4
  std::uint64_t h = mix(std::hash<std::string_view>{}(id));
  if (h == 0) h = 1;
  std::size_t const mask = slots_.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    if (slots_[i] == h) return false;
    if (slots_[i] == 0) {
      slots_[i] = h;
      ++size_;
      return true;
    }
  }
}

void seen_ids::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  std::size_t const mask = slots_.size() - 1;
  for (std::uint64_t h : old) {
    if (h == 0) continue;
    std::size_t i = h & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = h;
  }
}

}  // namespace scanner
