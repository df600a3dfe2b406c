// audit/idp_managed_skus.hpp — the value of --idp-managed-skus: a list of SKU names, given inline or as @file.
#pragma once

#include "base/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace audit {

// The names in a list: separated by commas or line breaks, trimmed, blanks skipped, text from '#' to the end of a
// line ignored.
std::vector<std::string> parse_sku_list(std::string_view text);

// The SKU names of a --idp-managed-skus value: none for an empty value (no pre-flight), the list itself, or the
// contents of the file for "@file". An unreadable file, or a non-empty value naming no SKU, is a usage error.
base::result<std::vector<std::string>> parse_idp_managed_skus(std::string_view value);

}  // namespace audit
