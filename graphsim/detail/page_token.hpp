// graphsim/detail/page_token.hpp — the opaque $skiptoken / $deltatoken values: a position and the query's shape,
// sealed with a keyed checksum so that a tampered, foreign or replayed-with-another-query token is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace graphsim {

enum class page_kind : std::uint8_t { users = 1, delta_initial = 2, delta_changes = 3, delta_link = 4, groups = 5 };

struct page_token {
  page_kind kind = page_kind::users;
  std::uint64_t position = 0;    // next item to serve
  std::uint64_t version = 0;     // tenant version the round started at (delta)
  std::uint64_t since = 0;       // version the changes are listed from (delta_changes)
  std::uint64_t query_hash = 0;  // odata_query::shape_hash of the request that started the round
  std::uint64_t page = 0;        // the page of the chain it leads to (the first page, asked without one, is 1)
};

// Seals and opens tokens with one process-wide key: tokens of another emulator run are refused.
class page_token_codec {
 public:
  explicit page_token_codec(std::uint64_t key);
  // The token as URL-safe text.
  std::string seal(page_token const& t) const;
  // The token, or nullopt when text was not sealed by this codec (garbage, tampered, truncated).
  std::optional<page_token> open(std::string_view text) const;

 private:
  std::uint64_t key_;
};

}  // namespace graphsim
