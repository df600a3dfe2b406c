// reports/detail/json.hpp — the findings as one JSON document: snapshot metadata, findings, summary (docs/reports.md).
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/records.hpp"

#include <span>

namespace reports {

// Streams {"format_version", "snapshot", "findings": [...], "summary"} to out in one pass (the summary comes
// last because it is counted while the findings stream); not committed: the caller commits.
// With doors, a "doors" member (reports/detail/doors.hpp) follows the snapshot.
base::result<void> render_json(const storage::scan_info& scan, const finding_source& source,
                               std::span<const storage::door_summary> doors, output_file& out);

}  // namespace reports
