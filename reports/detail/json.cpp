#include "reports/detail/json.hpp"

#include "reports/detail/doors.hpp"
#include "reports/detail/json_writer.hpp"
#include "reports/detail/summary.hpp"
#include "storage/database.hpp"
#include "storage/finding_row.hpp"

namespace reports {

namespace {

// Bumped when a field is renamed or removed; adding fields keeps it.
constexpr std::int64_t format_version = 1;

void write_snapshot(json_writer& w, const storage::scan_info& scan) {
  w.key("snapshot");
  w.start_object();
  w.member("scan_id", scan.scan_id);
  w.member("tenant_id", scan.tenant_id);
  w.member("tenant_name", scan.tenant_name);
  w.member("status", storage::to_string(scan.status));
  w.member("started_at", scan.started_at);
  w.member("finished_at", scan.finished_at);
  w.member("mode", scan.license_details_mode);
  w.member("tool_version", scan.tool_version);
  w.member("users", scan.users);
  w.member("requests", scan.requests);
  w.end_object();
}

void write_finding(json_writer& w, const storage::finding_record& f) {
  w.start_object();
  for (const auto& field : storage::finding_fields) {
    w.key(field.column.name);
    switch (field.shape) {
      case storage::cell_shape::text:
        w.string(f.*field.text);
        break;
      case storage::cell_shape::list:
        w.list(f.*field.text);
        break;
      case storage::cell_shape::text_or_none:
        if ((f.*field.text).empty()) w.null();
        else w.string(f.*field.text);
        break;
      case storage::cell_shape::flag:
        w.optional_bool(f.*field.flag);
        break;
    }
  }
  w.end_object();
}

void write_summary(json_writer& w, const findings_summary& s) {
  w.key("summary");
  w.start_object();
  w.member("findings", s.findings);
  w.member("users_with_findings", s.users_with_findings);
  w.key("preflight");
  w.boolean(s.preflight);
  w.member("users_refused_403", s.users_refused_403);
  w.member("users_refused_400", s.users_refused_400);
  w.member("users_may_be_refused", s.users_may_be_refused);
  w.member("users_blocked", s.users_blocked);
  w.key("by_origin");
  w.start_object();
  for (const auto& [name, n] : s.by_origin) w.member(name, n);
  w.end_object();
  w.key("by_idp_outcome");
  w.start_object();
  for (const auto& [name, n] : s.by_idp_outcome) w.member(name, n);
  w.end_object();
  w.key("by_sku");
  w.start_array();
  for (const auto& sku : s.by_sku) {
    w.start_object();
    w.member("sku_id", sku.sku_id);
    w.member("sku_part_number", sku.sku_part_number);
    w.member("product_name", sku.product_name);
    w.member("findings", sku.findings);
    w.end_object();
  }
  w.end_array();
  w.key("by_department");
  w.start_array();
  for (const auto& d : s.by_department) {
    w.start_object();
    w.member("department", d.department);
    w.member("users", d.users);
    w.member("findings", d.findings);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

base::result<void> render_json(const storage::scan_info& scan, const finding_source& source,
                               std::span<const storage::door_summary> doors, output_file& out) {
  json_writer w(out);
  summary_builder summary;
  w.start_object();
  w.member("format_version", format_version);
  write_snapshot(w, scan);
  write_doors_json(w, doors);
  w.key("findings");
  w.start_array();
  const auto streamed = source([&](const storage::finding_record& f) {
    write_finding(w, f);
    summary.add(f);
  });
  if (!streamed) return streamed.error();
  w.end_array();
  write_summary(w, summary.finish());
  w.end_object();
  out.put('\n');
  return {};
}

}  // namespace reports
