#include "audit/detail/csv_reader.hpp"

namespace audit {

csv_reader::csv_reader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // Microsoft's own download starts with a BOM
}

bool csv_reader::next(std::vector<std::string>& fields) {
  fields.clear();
  // Skip blank lines between records (a trailing newline must not yield an empty record).
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = line_;

  std::string field;
  bool quoted = false;
  while (pos_ < text_.size()) {
    char c = text_[pos_++];
    if (quoted) {
      if (c == '"') {
        if (pos_ < text_.size() && text_[pos_] == '"') {
          field += '"';
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;  // a quote inside an unquoted field also opens quoting: lenient, as spreadsheets are
    } else if (c == delimiter_) {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      ++line_;
      break;
    } else if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') {
      continue;  // CRLF: the LF ends the record
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return true;
}

}  // namespace audit
