// storage/detail/rows.hpp — records to statement parameters and result columns back to records, in the column order
// that schema.cpp declares (storage-internal).
#pragma once

#include "storage/detail/json_array.hpp"
#include "storage/detail/statement.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace storage::detail {

// Binders fill an insert_sql() statement of the record's table. Text is bound without copying; json is the
// disabled_plans JSON text, which the caller keeps alive until the step.
// bind_sku and bind_subscription bind lead (the snapshot, or the version's content_hash) first, then the fields.
void bind_sku(statement& s, std::int64_t lead, const sku_record& r);
void bind_subscription(statement& s, std::int64_t lead, const subscription_record& r);
void bind_user_version(statement& s, std::string_view tenant_id, std::int64_t first_scan, std::int64_t content,
                       const user_record& r);
void bind_license_version(statement& s, std::int64_t version, const assigned_license_record& r,
                          const std::string& json);
void bind_state_version(statement& s, std::int64_t version, std::int64_t position, const license_state_record& r,
                        const std::string& json);
void bind_license_plan(statement& s, std::int64_t scan_id, std::int64_t seq, const license_plan_record& r);
void bind_finding(statement& s, std::int64_t scan_id, const finding_record& r);
// The finding's columns alone, from parameter first on (finding_versions puts its range before them).
void bind_finding_fields(statement& s, int first, const finding_record& r);

// Readers take the current row of a select_sql() statement of the record's table (the seq columns are read by
// the callers that merge and de-duplicate rows).
// read_sku and read_subscription read the record's fields from column first on (without the lists of a SKU).
sku_record read_sku(const statement& s, int first = 1);
subscription_record read_subscription(const statement& s, int first = 1);
user_record read_user(const statement& s);
assigned_license_record read_assigned_license(const statement& s);
license_state_record read_license_state(const statement& s);
license_plan_record read_license_plan(const statement& s);
finding_record read_finding(const statement& s);
// The same, into r (its strings keep their buffers), the finding's columns starting at column first.
void read_finding(const statement& s, finding_record& r, int first = 1);
scan_info read_scan(const statement& s);

// scan_status as stored and back (unknown text reads as failed: never mistaken for complete).
scan_status scan_status_from(std::string_view text);

}  // namespace storage::detail
