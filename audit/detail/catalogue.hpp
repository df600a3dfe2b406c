// audit/detail/catalogue.hpp — Microsoft's licensing product-names CSV and the self-service sign-up list, indexed by
// skuId.
#pragma once

#include "audit/detail/text.hpp"
#include "base/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace audit {

// One service plan of a catalogue SKU.
struct catalogue_plan {
  std::string service_plan_id;  // lower-case GUID
  std::string service_plan_name;
  std::string friendly_name;
};

// One SKU of the catalogue: part number and product name from the first row for its GUID.
struct catalogue_sku {
  std::string sku_id;       // lower-case GUID, trimmed
  std::string part_number;  // String_Id, trimmed (spaces, tabs, NBSP)
  std::string product_name;
  std::vector<catalogue_plan> plans;  // de-duplicated, in file order
};

// skuId → SKU facts from the licensing CSV. Lookups ignore case.
class catalogue {
 public:
  // Parses the licensing CSV (header names located by name, so column order and a "String_ Id" header survive);
  // a usage error when a required column is missing.
  static base::result<catalogue> parse(std::string_view csv);

  // The SKU with this skuId, or nullptr.
  const catalogue_sku* find(std::string_view sku_id) const;
  // The skuIds whose part number equals this one ignoring case (one part number may have two GUIDs).
  std::vector<std::string> sku_ids_of_part_number(std::string_view part_number) const;
  // Every SKU, in first-seen file order.
  const std::vector<catalogue_sku>& skus() const { return skus_; }

 private:
  std::vector<catalogue_sku> skus_;
  std::unordered_map<std::string, std::size_t, ci_hash, ci_equal> by_id_;
  std::unordered_multimap<std::string, std::size_t, ci_hash, ci_equal> by_part_number_;
};

// The embedded licensing CSV (data::licensing_csv()), parsed once per process.
const catalogue& embedded_catalogue();

// One SKU of the self-service sign-up / viral / free / user-trial list (origin rule 6).
struct signup_sku {
  std::string sku_id;  // lower-case GUID
  std::string part_number;
  std::string kind;    // user_trial | viral | free | signup (informative)
  std::string source;  // where the SKU was found to be one
};

// Parses data/signup_skus.csv (sku_id,sku_part_number,kind,source; header required); a usage error naming the
// line when a sku_id is not a GUID.
base::result<std::vector<signup_sku>> parse_signup_list(std::string_view csv);

// The embedded sign-up list (data::signup_skus_csv()), parsed once per process.
const std::vector<signup_sku>& embedded_signup_list();

}  // namespace audit
