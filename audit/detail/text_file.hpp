// audit/detail/text_file.hpp — reads the small text files an administrator hands the audit (rules, SKU lists).
#pragma once

#include "base/error.hpp"

#include <string>
#include <string_view>

namespace audit {

// The whole file at path; a usage error "cannot read <what> '<path>': <reason>" when it cannot be read.
base::result<std::string> read_text_file(const std::string& path, std::string_view what);

}  // namespace audit
