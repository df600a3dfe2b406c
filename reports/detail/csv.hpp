// reports/detail/csv.hpp — the findings CSV (docs/design.md §4): fixed columns, RFC 4180, formula guard, streamed.
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/finding_row.hpp"
#include "storage/records.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace reports {

// The columns of the findings CSV, in contract order (storage::finding_fields); JSON uses the same names.
inline constexpr auto finding_columns = [] {
  std::array<std::string_view, storage::finding_field_count> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = storage::finding_fields[i].column.name;
  return names;
}();

// "true", "false", or "" when unknown.
std::string_view csv_bool(const std::optional<bool>& b);

// Appends the header row (CRLF-terminated).
void append_findings_header(std::string& out);

// Appends one finding as a row (CRLF-terminated).
void append_finding_row(std::string& out, const storage::finding_record& f);

// Writes the header and every finding of source to out (not committed: the caller commits).
base::result<void> render_csv(const finding_source& source, output_file& out);

}  // namespace reports
