// reports/detail/html.hpp — the self-contained pre-migration readiness report: one HTML file, inline CSS/JS/SVG only.
#pragma once

#include "base/error.hpp"
#include "reports/calibration.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "reports/detail/svg_charts.hpp"
#include "storage/records.hpp"

#include <cstddef>
#include <vector>

namespace reports {

struct html_options {
  // Rows embedded in the findings table; counts and charts stay exact beyond it. 20,000 rows keep the file
  // near 10 MB and the browser responsive.
  std::size_t max_rows = 20000;
  // The "Doors" section at the top (reports/detail/doors.hpp); none when empty.
  std::vector<storage::door_summary> doors;
  // The "Predicted versus observed" section after the doors (docs/design.md §8); none when null.
  const calibration* observed = nullptr;
};

// Writes the report for scan: headline, counts, charts (origin, SKU, department, trend over `trend`, oldest
// first), a sortable and filterable table, per-origin guidance. Reads source twice (counts first, then rows).
// Not committed: the caller commits.
base::result<void> render_html(const storage::scan_info& scan, const std::vector<trend_point>& trend,
                               const finding_source& source, output_file& out, const html_options& options = {});

}  // namespace reports
