#include "reports/csv_writer.hpp"

namespace reports {

void append_csv_cell(std::string& out, std::string_view text) {
  // A leading = + - @ tab or CR makes spreadsheets evaluate the cell; the quote makes it inert text.
  const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                                         text[0] == '\t' || text[0] == '\r');
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) out += '"';
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

}  // namespace reports
