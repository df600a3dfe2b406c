// audit/rules_file.hpp — the administrator's rules file (docs/rules.md): per-SKU origin overrides and extra
// sign-up SKUs.
#pragma once

#include "audit/detail/origin.hpp"
#include "audit/detail/text.hpp"
#include "base/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace audit {

// `override <skuId> <origin> [reason…]`: the origin the SKU gets before rule 1 applies.
struct rule_override {
  audit::origin origin = origin::organization;
  std::string reason;  // free text, may be empty
  std::size_t line = 0;
};

// A parsed rules file. Keys are lower-case skuIds (lookups ignore case).
struct rules {
  std::unordered_map<std::string, rule_override, ci_hash, ci_equal> overrides;
  std::unordered_map<std::string, std::string, ci_hash, ci_equal> signup_skus;  // skuId → part number (may be empty)
};

// Parses rules text; source names it in errors. Any bad line is a usage error "<source> line N: …".
base::result<rules> parse_rules(std::string_view text, std::string_view source);

// The rules in effect: the file at path, or the embedded default (data/rules.default.txt) when path is empty.
// A file that cannot be read is a usage error.
base::result<rules> load_rules(const std::string& path);

}  // namespace audit
