#include "audit/detail/catalogue.hpp"

#include "audit/detail/csv_reader.hpp"
#include "data/embedded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace audit {
namespace {

// Header names compared without blanks or case: old copies of the file spell "String_ Id".
std::string header_key(std::string_view name) {
  std::string key;
  for (char c : trim(name))
    if (c != ' ' && c != '\t') key += c;
  return to_lower(key);
}

std::optional<std::size_t> column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header_key(header[i]) == name) return i;
  return std::nullopt;
}

std::string_view cell(const std::vector<std::string>& fields, std::optional<std::size_t> i) {
  if (!i || *i >= fields.size()) return {};
  return fields[*i];
}

// Some re-saved copies use ';' as the delimiter: decide from the header line.
char delimiter_of(std::string_view csv) {
  std::string_view first = csv.substr(0, csv.find('\n'));
  return first.find(',') == std::string_view::npos && first.find(';') != std::string_view::npos ? ';' : ',';
}

}  // namespace

base::result<catalogue> catalogue::parse(std::string_view csv) {
  csv_reader reader{csv, delimiter_of(csv)};
  std::vector<std::string> fields;
  if (!reader.next(fields)) return base::usage_error("cannot read the licensing catalogue: it is empty");
  const auto name_col = column(fields, "product_display_name");
  const auto part_col = column(fields, "string_id");
  const auto guid_col = column(fields, "guid");
  const auto plan_name_col = column(fields, "service_plan_name");
  const auto plan_id_col = column(fields, "service_plan_id");
  const auto friendly_col = column(fields, "service_plans_included_friendly_names");
  if (!part_col || !guid_col)
    return base::usage_error("cannot read the licensing catalogue: its header lacks String_Id or GUID");

  catalogue cat;
  while (reader.next(fields)) {
    std::string sku_id = to_lower(trim(cell(fields, guid_col)));
    if (sku_id.empty()) continue;
    auto [it, inserted] = cat.by_id_.try_emplace(sku_id, cat.skus_.size());
    if (inserted) {
      // The first row names the SKU: renamed products are listed twice and the older name comes first.
      catalogue_sku sku;
      sku.sku_id = sku_id;
      sku.part_number = std::string(trim(cell(fields, part_col)));
      sku.product_name = std::string(trim(cell(fields, name_col)));
      if (!sku.part_number.empty()) cat.by_part_number_.emplace(sku.part_number, cat.skus_.size());
      cat.skus_.push_back(std::move(sku));
    }
    catalogue_plan plan{to_lower(trim(cell(fields, plan_id_col))), std::string(trim(cell(fields, plan_name_col))),
                        std::string(trim(cell(fields, friendly_col)))};
    if (plan.service_plan_id.empty()) continue;
    auto& plans = cat.skus_[it->second].plans;
    // Exact duplicate rows and the same plan listed under a second product name add nothing.
    bool seen = std::any_of(plans.begin(), plans.end(),
                            [&](const catalogue_plan& p) { return p.service_plan_id == plan.service_plan_id; });
    if (!seen) plans.push_back(std::move(plan));
  }
  return cat;
}

const catalogue_sku* catalogue::find(std::string_view sku_id) const {
  auto it = by_id_.find(trim(sku_id));
  return it == by_id_.end() ? nullptr : &skus_[it->second];
}

std::vector<std::string> catalogue::sku_ids_of_part_number(std::string_view part_number) const {
  std::vector<std::string> ids;
  auto [first, last] = by_part_number_.equal_range(trim(part_number));
  for (auto it = first; it != last; ++it) ids.push_back(skus_[it->second].sku_id);
  sort_unique(ids);
  return ids;
}

const catalogue& embedded_catalogue() {
  // The embedded file is part of the binary: failing to parse it is a build defect, not a user error.
  static const catalogue cat = catalogue::parse(data::licensing_csv()).value();
  return cat;
}

base::result<std::vector<signup_sku>> parse_signup_list(std::string_view csv) {
  csv_reader reader{csv};
  std::vector<std::string> fields;
  if (!reader.next(fields)) return std::vector<signup_sku>{};
  const auto id_col = column(fields, "sku_id");
  const auto part_col = column(fields, "sku_part_number");
  const auto kind_col = column(fields, "kind");
  const auto source_col = column(fields, "source");
  if (!id_col) return base::usage_error("cannot read the sign-up SKU list: its header lacks sku_id");

  std::vector<signup_sku> list;
  while (reader.next(fields)) {
    std::string_view id = trim(cell(fields, id_col));
    if (id.empty() || id.front() == '#') continue;
    if (!is_guid(id))
      return base::usage_error(fmt::format("sign-up SKU list line {}: '{}' is not a skuId GUID", reader.line(), id));
    list.push_back({to_lower(id), std::string(trim(cell(fields, part_col))), std::string(trim(cell(fields, kind_col))),
                    std::string(trim(cell(fields, source_col)))});
  }
  return list;
}

const std::vector<signup_sku>& embedded_signup_list() {
  static const std::vector<signup_sku> list = parse_signup_list(data::signup_skus_csv()).value();
  return list;
}

}  // namespace audit
