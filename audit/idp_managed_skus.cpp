#include "audit/idp_managed_skus.hpp"

#include "audit/detail/text.hpp"
#include "audit/detail/text_file.hpp"

#include <fmt/format.h>

namespace audit {

std::vector<std::string> parse_sku_list(std::string_view text) {
  std::vector<std::string> names;
  bool in_comment = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool end = i == text.size();
    const char c = end ? '\n' : text[i];
    if (c != ',' && c != '\n' && c != '#') continue;
    if (!in_comment) {
      std::string_view name = trim(text.substr(start, i - start));
      if (!name.empty()) names.emplace_back(name);
    }
    if (c == '#') in_comment = true;
    if (c == '\n') in_comment = false;
    start = i + 1;
  }
  return names;
}

base::result<std::vector<std::string>> parse_idp_managed_skus(std::string_view value) {
  if (value.empty()) return std::vector<std::string>{};
  std::vector<std::string> names;
  if (value.front() == '@') {
    auto text = read_text_file(std::string(value.substr(1)), "--idp-managed-skus file");
    if (!text) return text.error();
    names = parse_sku_list(*text);
  } else {
    names = parse_sku_list(value);
  }
  // An empty managed set would turn every finding into a refusal: surely a mistake, so say so.
  if (names.empty())
    return base::usage_error(fmt::format(
        "--idp-managed-skus '{}' names no SKU: give part numbers or skuIds, comma-separated, or @file", value));
  return names;
}

}  // namespace audit
