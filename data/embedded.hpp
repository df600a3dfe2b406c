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

// Microsoft's MSCommerce self-service purchase products: product_name,product_id,trial_without_payment_method.
std::string_view mscommerce_products_csv();

// Our map from SKU part numbers to MSCommerce product ids: sku_part_number,product_id,basis.
std::string_view mscommerce_sku_map_csv();

}  // namespace data
