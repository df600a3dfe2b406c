// audit/detail/text.hpp — the small string rules the audit shares: trimming, case-insensitive keys, GUIDs, lists.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

// The text without leading/trailing spaces, tabs, CR, LF and U+00A0 (NBSP, bytes C2 A0).
std::string_view trim(std::string_view s);

// ASCII lower-case copy (GUIDs, part-number keys); other bytes unchanged.
std::string to_lower(std::string_view s);

// True when a and b are equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);

// True when s is a GUID in 8-4-4-4-12 hex form (any case, no braces).
bool is_guid(std::string_view s);

// Sorts and de-duplicates the values in place.
void sort_unique(std::vector<std::string>& values);

// The values joined with ';' (the list-cell form of docs/design.md §4.2).
std::string join(const std::vector<std::string>& values, std::string_view separator = ";");

// Hash and equality that ignore ASCII case and accept string_view lookups (GUIDs, part numbers).
struct ci_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept;
};
struct ci_equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept { return iequals(a, b); }
};

}  // namespace audit
