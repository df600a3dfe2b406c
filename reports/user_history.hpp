// reports/user_history.hpp — one user's licenses and their origins across a tenant's kept snapshots (`report
// --user`, docs/reports.md "One user's history"): when each license, self-service ones above all, first appeared
// and when it went.
#pragma once

#include "base/error.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/database.hpp"
#include "storage/records.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// One license the user held in one snapshot; origin `organization` when it was no finding.
struct held_license {
  std::string sku_id;
  std::string sku_part_number;
  std::string origin;
};

// The user as one snapshot saw them (present false: not in that snapshot, e.g. deleted or not yet created).
struct user_in_snapshot {
  storage::scan_info scan;
  bool present = false;
  std::string user_id;
  std::string user_principal_name;
  std::vector<held_license> licenses;
};

// A run of consecutive snapshots in which the user held one SKU with one origin.
struct license_period {
  held_license license;
  std::size_t first = 0;               // index of the first snapshot of the run
  std::size_t last = 0;                // index of its last
  std::optional<std::size_t> gone_at;  // the next snapshot, without it (or with another origin); none: still held
};

// The periods of the snapshots (oldest first), sorted by first appearance, then SKU part number, SKU id, origin.
std::vector<license_period> license_periods(const std::vector<user_in_snapshot>& snapshots);

// Reads the user (by object id or user principal name, case-insensitive) from the tenant's complete snapshots,
// oldest first; a user in none of them is a usage error (exit 2) naming the user.
base::result<std::vector<user_in_snapshot>> read_user_history(storage::database& db, std::string_view user,
                                                              std::string_view tenant_id);

// Writes the history as Markdown (a table of license periods, then the snapshots' dates). Not committed.
void render_user_history_md(const std::vector<user_in_snapshot>& snapshots, output_file& out);

}  // namespace reports
