// reports/detail/csv_writer.hpp — RFC 4180 cells with spreadsheet formula injection neutralised (docs/design.md §4.2).
#pragma once

#include <string>
#include <string_view>

namespace reports {

// Appends one cell: controls (tab and line breaks included) replaced by U+FFFD (docs/reports.md), prefixed with '
// when it starts with = + - @ tab or CR, quoted only when it must be (comma or quote inside), quotes doubled.
void append_csv_cell(std::string& out, std::string_view text);

// Appends the cells joined by commas and ends the row with CRLF.
template <class... Cells>
void append_csv_row(std::string& out, const Cells&... cells) {
  bool first = true;
  ((out += first ? "" : ",", first = false, append_csv_cell(out, std::string_view(cells))), ...);
  out += "\r\n";
}

}  // namespace reports
