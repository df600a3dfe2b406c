#include "audit/rules_file.hpp"

#include "audit/detail/text_file.hpp"
#include "data/embedded.hpp"

#include <fmt/format.h>

#include <vector>

namespace audit {
namespace {

constexpr std::string_view origin_list =
    "group_inherited, partner_managed, self_service_trial, self_service_purchase, mixed_ownership, "
    "self_service_signup, unattributed, organization";

// Splits off the first blank-separated word of s; s keeps the rest, trimmed.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  std::size_t end = 0;
  while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
  std::string_view word = s.substr(0, end);
  s = trim(s.substr(end));
  return word;
}

}  // namespace

base::result<rules> parse_rules(std::string_view text, std::string_view source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  rules out;
  std::size_t line_no = 0;
  auto fail = [&](std::string message) {
    return base::usage_error(fmt::format("rules file {} line {}: {}", source, line_no, message));
  };
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.empty() || line.front() == '#') continue;

    std::string_view rest = line;
    std::string_view directive = next_word(rest);
    if (directive == "override") {
      std::string_view sku = next_word(rest);
      std::string_view origin_name = next_word(rest);
      if (sku.empty() || origin_name.empty())
        return fail("override needs a skuId and an origin: override <skuId> <origin> [reason]");
      if (!is_guid(sku))
        return fail(fmt::format("'{}' is not a skuId (a GUID such as 6fd2c87f-b296-42f0-b197-1e91e994b900)", sku));
      auto o = parse_origin(origin_name);
      if (!o) return fail(fmt::format("unknown origin '{}' (one of: {})", origin_name, origin_list));
      if (auto it = out.overrides.find(sku); it != out.overrides.end())
        return fail(fmt::format("skuId {} is already overridden on line {}", to_lower(sku), it->second.line));
      out.overrides.emplace(to_lower(sku), rule_override{*o, std::string(rest), line_no});
    } else if (directive == "signup") {
      std::string_view sku = next_word(rest);
      std::string_view part_number = next_word(rest);
      if (sku.empty()) return fail("signup needs a skuId: signup <skuId> [part number]");
      if (!is_guid(sku))
        return fail(fmt::format("'{}' is not a skuId (a GUID such as 6fd2c87f-b296-42f0-b197-1e91e994b900)", sku));
      if (!rest.empty()) return fail(fmt::format("unexpected text after the part number: '{}'", rest));
      out.signup_skus[to_lower(sku)] = std::string(part_number);
    } else {
      return fail(fmt::format("unknown directive '{}' (expected override, signup or a # comment)", directive));
    }
  }
  return out;
}

base::result<rules> load_rules(const std::string& path) {
  if (path.empty()) return parse_rules(data::default_rules(), "(built-in)");
  auto text = read_text_file(path, "rules file");
  if (!text) return text.error();
  return parse_rules(*text, fmt::format("'{}'", path));
}

}  // namespace audit
