// scanner/detail/seen_ids.hpp — the set of user ids a scan has listed, to find an id listed twice (a server that
// repeats users across pages, or a chain that starts over).
//
// It holds a 64-bit hash of each id, not the id: 8 bytes a user in an open-addressing table (about 11 MiB for a
// million users), where a set of strings would cost ten times that. Two ids that share a hash are taken for one
// id listed twice; the scan then only does what it does for real duplicates (storage keeps the newest copy of
// each user, and the snapshot is audited whole), which is correct either way.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace scanner {

class seen_ids {
 public:
  // Records id; false if it (or an id with its hash) was recorded before.
  bool insert(std::string_view id);
  // Ids recorded.
  std::size_t size() const { return size_; }

 private:
  void grow();
  std::vector<std::uint64_t> slots_;  // 0 = empty; a hash of 0 is stored as 1
  std::size_t size_ = 0;
};

}  // namespace scanner
