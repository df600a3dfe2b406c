// storage/detail/content_hash.hpp — a stable 64-bit fingerprint of a row's content, and a 96-bit in-memory key of an
// id (storage-internal; docs/schema.md "Versions").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace storage::detail {

// FNV-1a (64-bit) over length-prefixed fields. Stored with each version (content_hash) and compared with a later
// scan's row to decide whether it changed, so its value must never depend on the build: FNV-1a is fixed by its
// definition (offset basis and prime), and each field is framed so that ("ab", "c") and ("a", "bc") differ.
class content_hasher {
 public:
  // Adds one text field.
  void add(std::string_view text);
  // Adds an optional flag (absent, false and true differ).
  void add(std::optional<bool> flag);
  // Adds an integer field.
  void add(std::int64_t value);
  // The fingerprint so far, as SQLite stores it (a signed 64-bit integer).
  std::int64_t value() const { return static_cast<std::int64_t>(h_); }

 private:
  void bytes(const void* p, std::size_t n);
  std::uint64_t h_ = 14695981039346656037ULL;
};

// The bytes content_hasher hashes, written out (same framing, same order), so that many rows' fingerprints can be
// computed at once by content_fingerprints: FNV-1a takes one multiplication after another for each byte, so one row at
// a time waits on each of them, where four rows interleaved keep the multiplier busy.
class content_bytes {
 public:
  explicit content_bytes(std::string& out) : out_(out) {}
  void add(std::string_view text);
  void add(std::optional<bool> flag);
  void add(std::int64_t value);

 private:
  std::string& out_;
};

// content_hasher's value of each input's bytes (as content_bytes wrote them): out[i] for in[i].
void content_fingerprints(std::span<const std::string_view> in, std::span<std::int64_t> out);

// Rows' bytes written one after the other into one buffer, then fingerprinted together.
class content_batch {
 public:
  // Callers batch this many rows at most: enough to keep the four lanes busy, few enough that the buffer stays small
  // (a whole page's users took a megabyte or two, held for the whole scan).
  static constexpr std::size_t rows_per_batch = 64;
  // The buffer is the thread's, kept between batches (one batch at a time on a thread keeps it; a second one made
  // while the first lives starts empty).
  content_batch();
  ~content_batch();
  content_batch(const content_batch&) = delete;
  content_batch& operator=(const content_batch&) = delete;
  // The sink of the next row's fields; call end_row() after them.
  content_bytes row() { return content_bytes(bytes_); }
  void end_row() { ends_.push_back(bytes_.size()); }
  // The rows' fingerprints, in the order they were written.
  std::vector<std::int64_t> fingerprints() const;

 private:
  std::string bytes_;
  std::vector<std::size_t> ends_;
};

// An id as the in-memory indexes of a running scan hold it: two independent hashes (64 + 32 bits), so that two ids
// collide with a probability of about n² / 2^97 (below 10^-17 for a million users) without storing the id.
struct id_key {
  std::uint64_t a = 0;
  std::uint32_t b = 0;
  friend bool operator==(const id_key&, const id_key&) = default;
  friend auto operator<=>(const id_key&, const id_key&) = default;
};

// The key of one id (for findings: of a user id and SKU id together).
id_key key_of(std::string_view id, std::string_view second = {});

}  // namespace storage::detail
