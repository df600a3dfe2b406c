#include "reports/csv_writer.hpp"

namespace reports {

void append_csv_cell(std::string& out, std::string_view text) {
  // A leading = + - @ tab or CR makes spreadsheets evaluate the cell; the quote makes it inert text.
  const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                                         text[0] == '\t' || text[0] == '\r');
  // One pass with plain compares: string_view::find_first_of calls memchr once per character of the cell.
  bool quote = false;
  for (char c : text) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      quote = true;
      break;
    }
  }
  if (quote) out += '"';
  if (formula) out += '\'';
  if (!quote) {
    out += text;
    return;
  }
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace reports
