#include "reports/csv.hpp"

#include "reports/csv_writer.hpp"

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
  append_csv_row(out, f.tenant_id, f.user_id, f.user_principal_name, f.display_name, csv_bool(f.account_enabled),
                 f.user_type, f.department, f.sku_id, f.sku_part_number, f.product_name, f.origin, f.confidence,
                 f.evidence, f.assignment, f.group_ids, f.subscription_ids, f.owner_ids, f.owner_upns,
                 f.owner_tenant_ids, csv_bool(f.is_trial), f.idp_outcome, f.recommended_action);
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
