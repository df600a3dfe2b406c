// data/embedded.hpp — the reference files of data/, compiled into the binary (sources in data/SOURCE.md).
#pragma once

#include <string_view>

namespace data {

// Microsoft's "Product names and service plan identifiers for licensing" CSV, byte for byte.
std::string_view licensing_csv();

// The self-service sign-up / viral / free / user-trial SKU list that origin rule 6 uses (docs/design.md §3.2).
std::string_view signup_skus_csv();

// The default audit rules file (format in docs/rules.md); --rules PATH replaces it.
std::string_view default_rules();

}  // namespace data
