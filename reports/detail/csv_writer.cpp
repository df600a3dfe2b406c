#include "reports/detail/csv_writer.hpp"

#include "reports/detail/text.hpp"

#include <array>

namespace reports {

namespace {

// What a byte asks of a CSV cell: quoting (a comma or a quote), or replacing (a control character, text.hpp).
constexpr unsigned char needs_quotes = 1;
constexpr unsigned char needs_replacing = 2;
constexpr std::array<unsigned char, 256> byte_needs = [] {
  std::array<unsigned char, 256> a{};
  for (unsigned u = 0; u < 0x20; ++u) a[u] = needs_replacing;
  a[0x7F] = needs_replacing;
  a[static_cast<unsigned char>(',')] = needs_quotes;
  a[static_cast<unsigned char>('"')] = needs_quotes;
  return a;
}();

}  // namespace

void append_csv_cell(std::string& out, std::string_view text) {
  // One pass over the cell, a table lookup per byte: a 1M-user export writes millions of cells.
  unsigned char needs = 0;
  for (char c : text) needs |= byte_needs[static_cast<unsigned char>(c)];
  if (needs & needs_replacing) {
    std::string clean;
    append_controls_replaced(clean, text);
    append_csv_cell(out, clean);
    return;
  }
  // A leading = + - @ makes spreadsheets evaluate the cell; the quote makes it inert text. (A leading tab or CR,
  // which would too, was replaced above.)
  const bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@');
  bool const quote = (needs & needs_quotes) != 0;
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
