// reports/detail/diff.hpp — findings new, resolved and changed between two snapshots, keyed on (tenant, user, SKU).
#pragma once

#include "base/error.hpp"
#include "reports/detail/doors.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "reports/report.hpp"
#include "storage/records.hpp"

#include <string>
#include <vector>

namespace reports {

struct diff_entry {
  std::string change;  // new | resolved | changed
  std::string tenant_id;
  std::string user_id;
  std::string user_principal_name;  // from the newer snapshot, except for resolved findings
  std::string sku_id;
  std::string sku_part_number;
  std::string from_origin;  // empty for new
  std::string to_origin;    // empty for resolved
};

// The changes from `from` to `to`, sorted by (upn, sku part number, sku id) as bytes. Memory grows with the
// older snapshot's findings (one small entry each), not with the tenant.
base::result<std::vector<diff_entry>> compute_diff(const finding_source& from, const finding_source& to);

// Writes the changes as text lines (+ new, - resolved, ~ changed), CSV or JSON; not committed.
// Door changes (reports/detail/doors.hpp) come first in text ("door trials: open -> closed") and as "doors" in JSON;
// the CSV keeps its findings columns only.
void render_diff(const storage::scan_info& from, const storage::scan_info& to, const std::vector<diff_entry>& changes,
                 const std::vector<door_change>& doors, diff_format fmt, output_file& out);

}  // namespace reports
