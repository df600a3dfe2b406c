#include "storage/detail/rows.hpp"

#include "storage/finding_row.hpp"

// Each binder and reader walks its table's columns in schema.cpp's order; the round-trip tests catch a
// column added there but not here. The findings' binder and reader walk finding_fields, as schema.cpp does.
namespace storage::detail {

void bind_sku(statement& s, std::int64_t lead, const sku_record& r) {
  int i = 1;
  s.bind_int(i++, lead);
  s.bind_text(i++, r.id);
  s.bind_text(i++, r.sku_id);
  s.bind_text(i++, r.sku_part_number);
  s.bind_text(i++, r.account_id);
  s.bind_text(i++, r.account_name);
  s.bind_text(i++, r.applies_to);
  s.bind_text(i++, r.capability_status);
  s.bind_int(i++, r.consumed_units);
  s.bind_int(i++, r.prepaid_enabled);
  s.bind_int(i++, r.prepaid_suspended);
  s.bind_int(i++, r.prepaid_warning);
  s.bind_int(i++, r.prepaid_locked_out);
}

sku_record read_sku(const statement& s, int first) {
  sku_record r;
  int c = first;
  r.id = s.text(c++);
  r.sku_id = s.text(c++);
  r.sku_part_number = s.text(c++);
  r.account_id = s.text(c++);
  r.account_name = s.text(c++);
  r.applies_to = s.text(c++);
  r.capability_status = s.text(c++);
  r.consumed_units = s.integer(c++);
  r.prepaid_enabled = s.integer(c++);
  r.prepaid_suspended = s.integer(c++);
  r.prepaid_warning = s.integer(c++);
  r.prepaid_locked_out = s.integer(c++);
  return r;
}

void bind_subscription(statement& s, std::int64_t lead, const subscription_record& r) {
  int i = 1;
  s.bind_int(i++, lead);
  s.bind_text(i++, r.id);
  s.bind_text(i++, r.commerce_subscription_id);
  s.bind_text(i++, r.sku_id);
  s.bind_text(i++, r.sku_part_number);
  s.bind_text(i++, r.status);
  s.bind_bool(i++, r.is_trial);
  s.bind_optional_int(i++, r.total_licenses);
  s.bind_text(i++, r.created_date_time);
  s.bind_text(i++, r.next_lifecycle_date_time);
  s.bind_optional_text(i++, r.owner_id);
  s.bind_optional_text(i++, r.owner_tenant_id);
  s.bind_optional_text(i++, r.owner_type);
}

subscription_record read_subscription(const statement& s, int first) {
  subscription_record r;
  int c = first;
  r.id = s.text(c++);
  r.commerce_subscription_id = s.text(c++);
  r.sku_id = s.text(c++);
  r.sku_part_number = s.text(c++);
  r.status = s.text(c++);
  r.is_trial = s.boolean(c++);
  r.total_licenses = s.optional_integer(c++);
  r.created_date_time = s.text(c++);
  r.next_lifecycle_date_time = s.text(c++);
  r.owner_id = s.optional_text(c++);
  r.owner_tenant_id = s.optional_text(c++);
  r.owner_type = s.optional_text(c++);
  return r;
}

void bind_user_version(statement& s, std::string_view tenant_id, std::int64_t first_scan, std::int64_t content,
                       const user_record& r) {
  int i = 1;
  s.bind_null(i++);  // version_id: the next rowid
  s.bind_text(i++, tenant_id);
  s.bind_int(i++, first_scan);
  s.bind_null(i++);  // until_scan: current
  s.bind_int(i++, content);
  s.bind_text(i++, r.id);
  s.bind_text(i++, r.user_principal_name);
  s.bind_text(i++, r.display_name);
  s.bind_text(i++, r.mail);
  s.bind_text(i++, r.user_type);
  s.bind_bool(i++, r.account_enabled);
  s.bind_text(i++, r.usage_location);
  s.bind_bool(i++, r.on_premises_sync_enabled);
  s.bind_text(i++, r.department);
  s.bind_text(i++, r.created_date_time);
  s.bind_text(i++, r.creation_type);
}

user_record read_user(const statement& s) {
  user_record r;
  int c = 2;  // after scan_id, seq
  r.id = s.text(c++);
  r.user_principal_name = s.text(c++);
  r.display_name = s.text(c++);
  r.mail = s.text(c++);
  r.user_type = s.text(c++);
  r.account_enabled = s.boolean(c++);
  r.usage_location = s.text(c++);
  r.on_premises_sync_enabled = s.boolean(c++);
  r.department = s.text(c++);
  r.created_date_time = s.text(c++);
  r.creation_type = s.text(c++);
  return r;
}

void bind_license_version(statement& s, std::int64_t version, const assigned_license_record& r,
                          const std::string& json) {
  s.bind_int(1, version);
  s.bind_text(2, r.sku_id);
  s.bind_text(3, r.user_id);
  s.bind_text(4, json);
}

assigned_license_record read_assigned_license(const statement& s) {
  assigned_license_record r;
  r.sku_id = s.text(2);
  r.user_id = s.text(3);
  r.disabled_plans = from_json_array(s.text_view(4));
  return r;
}

void bind_state_version(statement& s, std::int64_t version, std::int64_t position, const license_state_record& r,
                        const std::string& json) {
  int i = 1;
  s.bind_int(i++, version);
  s.bind_int(i++, position);
  s.bind_text(i++, r.user_id);
  s.bind_text(i++, r.sku_id);
  s.bind_optional_text(i++, r.assigned_by_group);
  s.bind_text(i++, r.state);
  s.bind_text(i++, r.error);
  s.bind_text(i++, r.last_updated_date_time);
  s.bind_text(i++, json);
}

license_state_record read_license_state(const statement& s) {
  license_state_record r;
  int c = 3;  // after scan_id, user_seq, position
  r.user_id = s.text(c++);
  r.sku_id = s.text(c++);
  r.assigned_by_group = s.optional_text(c++);
  r.state = s.text(c++);
  r.error = s.text(c++);
  r.last_updated_date_time = s.text(c++);
  r.disabled_plans = from_json_array(s.text_view(c++));
  return r;
}

void bind_license_plan(statement& s, std::int64_t scan_id, std::int64_t seq, const license_plan_record& r) {
  int i = 1;
  s.bind_int(i++, scan_id);
  s.bind_int(i++, seq);
  s.bind_text(i++, r.user_id);
  s.bind_text(i++, r.sku_id);
  s.bind_text(i++, r.service_plan_id);
  s.bind_text(i++, r.service_plan_name);
  s.bind_text(i++, r.provisioning_status);
  s.bind_int(i++, r.enabled ? 1 : 0);
}

license_plan_record read_license_plan(const statement& s) {
  license_plan_record r;
  int c = 2;  // after scan_id, seq
  r.user_id = s.text(c++);
  r.sku_id = s.text(c++);
  r.service_plan_id = s.text(c++);
  r.service_plan_name = s.text(c++);
  r.provisioning_status = s.text(c++);
  r.enabled = s.integer(c++) != 0;
  return r;
}

void bind_finding_fields(statement& s, int first, const finding_record& r) {
  int i = first;
  for (const auto& field : finding_fields) {
    if (field.text != nullptr) s.bind_text(i++, r.*field.text);
    else s.bind_bool(i++, r.*field.flag);
  }
}

void bind_finding(statement& s, std::int64_t scan_id, const finding_record& r) {
  s.bind_int(1, scan_id);
  bind_finding_fields(s, 2, r);
}

void read_finding(const statement& s, finding_record& r, int first) {
  int c = first;
  for (const auto& field : finding_fields) {
    // assign() keeps each string's buffer: a reader that reuses one record allocates only for longer cells.
    if (field.text != nullptr) (r.*field.text).assign(s.text_view(c++));
    else r.*field.flag = s.boolean(c++);
  }
}

finding_record read_finding(const statement& s) {
  finding_record r;
  read_finding(s, r);
  return r;
}

scan_status scan_status_from(std::string_view text) {
  if (text == "running") return scan_status::running;
  if (text == "complete") return scan_status::complete;
  if (text == "interrupted") return scan_status::interrupted;
  return scan_status::failed;
}

scan_info read_scan(const statement& s) {
  scan_info r;
  int c = 0;
  r.scan_id = s.integer(c++);
  r.tenant_id = s.text(c++);
  r.tenant_name = s.text(c++);
  r.status = scan_status_from(s.text_view(c++));
  r.started_at = s.text(c++);
  r.finished_at = s.text(c++);
  r.license_details_mode = s.text(c++);
  r.tool_version = s.text(c++);
  r.graph_endpoint = s.text(c++);
  r.next_link = s.text(c++);
  r.pages = s.integer(c++);
  r.users = s.integer(c++);
  r.requests = s.integer(c++);
  r.throttled = s.integer(c++);
  r.error = s.text(c++);
  return r;
}

}  // namespace storage::detail
