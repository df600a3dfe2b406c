#include "reports/detail/csv.hpp"

#include "reports/detail/csv_writer.hpp"

namespace reports {

std::string_view csv_bool(const std::optional<bool>& b) {
  if (!b) return {};
  return *b ? "true" : "false";
}

void append_findings_header(std::string& out) {
  bool first = true;
  for (const auto column : finding_columns) {
    if (!first) out += ',';
    first = false;
    out += column;
  }
  out += "\r\n";
}

void append_finding_row(std::string& out, const storage::finding_record& f) {
  bool first = true;
  for (const auto& field : storage::finding_fields) {
    if (!first) out += ',';
    first = false;
    append_csv_cell(out, field.text != nullptr ? std::string_view(f.*field.text) : csv_bool(f.*field.flag));
  }
  out += "\r\n";
}

base::result<void> render_csv(const finding_source& source, output_file& out) {
  append_findings_header(out.buffer());
  // Rows go straight into the output's buffer, which flushes every 64 KiB: memory stays flat in the row count.
  return source([&](const storage::finding_record& f) {
    append_finding_row(out.buffer(), f);
    out.maybe_flush();
  });
}

}  // namespace reports
