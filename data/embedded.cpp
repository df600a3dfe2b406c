#include "data/embedded.hpp"

extern "C" {
extern const char entra_data_licensing_csv[];
extern const char entra_data_licensing_csv_end[];
extern const char entra_data_signup_skus_csv[];
extern const char entra_data_signup_skus_csv_end[];
extern const char entra_data_rules_default[];
extern const char entra_data_rules_default_end[];
extern const char entra_data_mscommerce_products_csv[];
extern const char entra_data_mscommerce_products_csv_end[];
extern const char entra_data_mscommerce_sku_map_csv[];
extern const char entra_data_mscommerce_sku_map_csv_end[];
}

namespace data {

std::string_view licensing_csv() {
  return {entra_data_licensing_csv, static_cast<std::size_t>(entra_data_licensing_csv_end - entra_data_licensing_csv)};
}

std::string_view signup_skus_csv() {
  return {entra_data_signup_skus_csv,
          static_cast<std::size_t>(entra_data_signup_skus_csv_end - entra_data_signup_skus_csv)};
}

std::string_view default_rules() {
  return {entra_data_rules_default, static_cast<std::size_t>(entra_data_rules_default_end - entra_data_rules_default)};
}

std::string_view mscommerce_products_csv() {
  return {entra_data_mscommerce_products_csv,
          static_cast<std::size_t>(entra_data_mscommerce_products_csv_end - entra_data_mscommerce_products_csv)};
}

std::string_view mscommerce_sku_map_csv() {
  return {entra_data_mscommerce_sku_map_csv,
          static_cast<std::size_t>(entra_data_mscommerce_sku_map_csv_end - entra_data_mscommerce_sku_map_csv)};
}

}  // namespace data
