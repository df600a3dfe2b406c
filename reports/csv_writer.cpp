#include "reports/csv_writer.hpp"

#include "reports/text.hpp"

namespace reports {

namespace {

bool has_control(std::string_view text) {
  for (char c : text)
    if (is_control(c)) return true;
  return false;
}

}  // namespace

void append_csv_cell(std::string& out, std::string_view text) {
  if (has_control(text)) {
    std::string clean;
    append_controls_replaced(clean, text);
    append_csv_cell(out, clean);
    return;
  }
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
  // Whole runs between quotes: free-text cells (recommended_action) are long and usually hold a comma.
  for (std::size_t from = 0; from < text.size();) {
    std::size_t const at = text.find('"', from);
    if (at == std::string_view::npos) {
      out.append(text.substr(from));
      break;
    }
    out.append(text.substr(from, at + 1 - from));
    out += '"';
    from = at + 1;
  }
  out += '"';
}

}  // namespace reports
