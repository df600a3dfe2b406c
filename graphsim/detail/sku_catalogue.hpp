// graphsim/detail/sku_catalogue.hpp — Microsoft's licensing CSV (data::licensing_csv()) read into SKUs with their
// service plans, and the sign-up / viral / free SKU list of origin rule 6 (data::signup_skus_csv()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace graphsim {

struct catalogue_plan {
  std::string id;    // lower-case GUID
  std::string name;  // Service_Plan_Name, trimmed
};

struct catalogue_sku {
  std::string sku_id;                 // lower-case GUID
  std::string part_number;            // String_Id of the SKU's first row, trimmed
  std::string product_name;           // Product_Display_Name of the SKU's first row
  std::vector<catalogue_plan> plans;  // distinct plans in file order
};

class sku_catalogue {
 public:
  // Reads the CSV: RFC 4180 quoting, BOM and CRLF tolerated, keys trimmed of spaces, tabs and NBSP, duplicate
  // rows merged, columns found by header name; rows without a GUID are skipped.
  static sku_catalogue parse(std::string_view csv);
  // The catalogue of the embedded data::licensing_csv(), parsed once.
  static const sku_catalogue& embedded();

  // The SKU whose GUID is sku_id (any case), or nullptr.
  const catalogue_sku* find_by_id(std::string_view sku_id) const;
  // The first SKU in file order whose String_Id is part_number (case-insensitive), or nullptr.
  const catalogue_sku* find_by_part_number(std::string_view part_number) const;
  // Number of distinct SKU GUIDs.
  std::size_t size() const { return skus_.size(); }

 private:
  std::vector<catalogue_sku> skus_;
  std::unordered_map<std::string, std::size_t> by_id_;    // lower-case GUID → index
  std::unordered_map<std::string, std::size_t> by_part_;  // lower-case String_Id → index
};

// The skuIds (lower-case) listed in a sign-up SKU CSV (first column, header skipped).
std::unordered_set<std::string> parse_signup_skus(std::string_view csv);
// The embedded data::signup_skus_csv() list, parsed once.
const std::unordered_set<std::string>& embedded_signup_skus();

// s without leading and trailing spaces, tabs, CR, LF and U+00A0 (NBSP).
std::string_view trim_key(std::string_view s);
// s in ASCII lower case.
std::string ascii_lower(std::string_view s);

}  // namespace graphsim
