// audit/detail/csv_reader.hpp — reads RFC 4180 text (the reference CSVs of data/) one record at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

// Walks CSV text: quoted fields may hold the delimiter, doubled quotes and line breaks; LF or CRLF line ends;
// a UTF-8 BOM is skipped. Fields are returned as written (untrimmed).
class csv_reader {
 public:
  explicit csv_reader(std::string_view text, char delimiter = ',');

  // Reads the next record into fields; false at the end of the text. Blank lines are skipped.
  bool next(std::vector<std::string>& fields);

  // The 1-based line on which the last record returned started.
  std::size_t line() const { return record_line_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  char delimiter_;
};

}  // namespace audit
