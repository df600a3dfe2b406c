#include "graphsim/detail/sku_catalogue.hpp"

#include "data/embedded.hpp"
#include "graphsim/detail/mix.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace graphsim {
namespace {

// Reads one RFC 4180 record from rest into fields and advances rest; false at the end of input. Quoted fields
// may hold commas, doubled quotes and line breaks; a record ends at LF or CRLF.
bool next_record(std::string_view& rest, std::vector<std::string>& fields) {
  fields.clear();
  if (rest.empty()) return false;
  std::string field;
  std::size_t i = 0;
  bool quoted = false;
  for (;;) {
    if (i == rest.size()) {
      fields.push_back(std::move(field));
      rest = {};
      return true;
    }
    char c = rest[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < rest.size() && rest[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        continue;
      }
      field += c;
      ++i;
      continue;
    }
    if (c == '"') {
      quoted = true;
      ++i;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      ++i;
    } else if (c == '\n' || (c == '\r' && i + 1 < rest.size() && rest[i + 1] == '\n')) {
      fields.push_back(std::move(field));
      rest.remove_prefix(i + (c == '\r' ? 2 : 1));
      return true;
    } else {
      field += c;
      ++i;
    }
  }
}

bool is_nbsp_at(std::string_view s, std::size_t i) {
  return i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xc2 && static_cast<unsigned char>(s[i + 1]) == 0xa0;
}

// A header name with spaces removed and lower-cased: the 2023 copies spell String_Id as "String_ Id".
std::string header_key(std::string_view name) {
  std::string key;
  for (char c : trim_key(name))
    if (c != ' ') key += c;
  return ascii_lower(key);
}

}  // namespace

std::string_view trim_key(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
      s.remove_prefix(1);
    } else if (is_nbsp_at(s, 0)) {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
    } else if (s.size() >= 2 && is_nbsp_at(s, s.size() - 2)) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

sku_catalogue sku_catalogue::parse(std::string_view csv) {
  sku_catalogue cat;
  if (csv.starts_with("\xef\xbb\xbf")) csv.remove_prefix(3);  // Microsoft's own download has a BOM
  std::vector<std::string> fields;
  if (!next_record(csv, fields)) return cat;
  // Column positions by name; defaults are Microsoft's documented order.
  std::array<std::size_t, 5> col{0, 1, 2, 3, 4};
  static constexpr std::array<std::string_view, 5> names{"product_display_name", "string_id", "guid",
                                                         "service_plan_name", "service_plan_id"};
  for (std::size_t f = 0; f < fields.size(); ++f)
    for (std::size_t n = 0; n < names.size(); ++n)
      if (header_key(fields[f]) == names[n]) col[n] = f;
  const std::size_t needed = *std::max_element(col.begin(), col.end()) + 1;

  while (next_record(csv, fields)) {
    if (fields.size() < needed) continue;
    auto sku = mix::parse_guid(trim_key(fields[col[2]]));
    if (!sku) continue;
    std::string sku_id = mix::to_string(*sku);
    auto [it, inserted] = cat.by_id_.try_emplace(sku_id, cat.skus_.size());
    if (inserted) {
      catalogue_sku entry;
      entry.sku_id = sku_id;
      entry.part_number = std::string(trim_key(fields[col[1]]));
      entry.product_name = std::string(trim_key(fields[col[0]]));
      cat.by_part_.try_emplace(ascii_lower(entry.part_number), cat.skus_.size());
      cat.skus_.push_back(std::move(entry));
    }
    catalogue_sku& entry = cat.skus_[it->second];
    auto plan = mix::parse_guid(trim_key(fields[col[4]]));
    if (!plan) continue;
    std::string plan_id = mix::to_string(*plan);
    bool known =
        std::any_of(entry.plans.begin(), entry.plans.end(), [&](const catalogue_plan& p) { return p.id == plan_id; });
    if (!known) entry.plans.push_back({plan_id, std::string(trim_key(fields[col[3]]))});
  }
  return cat;
}

const sku_catalogue& sku_catalogue::embedded() {
  static const sku_catalogue cat = parse(data::licensing_csv());
  return cat;
}

const catalogue_sku* sku_catalogue::find_by_id(std::string_view sku_id) const {
  auto it = by_id_.find(mix::normalise_guid(trim_key(sku_id)));
  return it == by_id_.end() ? nullptr : &skus_[it->second];
}

const catalogue_sku* sku_catalogue::find_by_part_number(std::string_view part_number) const {
  auto it = by_part_.find(ascii_lower(trim_key(part_number)));
  return it == by_part_.end() ? nullptr : &skus_[it->second];
}

std::unordered_set<std::string> parse_signup_skus(std::string_view csv) {
  std::unordered_set<std::string> ids;
  if (csv.starts_with("\xef\xbb\xbf")) csv.remove_prefix(3);
  std::vector<std::string> fields;
  while (next_record(csv, fields)) {
    if (fields.empty()) continue;
    if (auto g = mix::parse_guid(trim_key(fields[0]))) ids.insert(mix::to_string(*g));  // the header is no GUID
  }
  return ids;
}

const std::unordered_set<std::string>& embedded_signup_skus() {
  static const std::unordered_set<std::string> ids = parse_signup_skus(data::signup_skus_csv());
  return ids;
}

}  // namespace graphsim
