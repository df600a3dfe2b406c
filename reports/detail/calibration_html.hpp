// reports/detail/calibration_html.hpp — the "Predicted versus observed" section of the HTML report
// (docs/design.md §8; reports/calibration.hpp computes it).
#pragma once

#include "reports/calibration.hpp"

#include <string>

namespace reports {

// Appends the section: precision and recall, the counts, the per-origin and per-SKU groups, then the misses and
// contradictions (at most max_users of each, then how many more) with each user's licenses.
void write_calibration_html(std::string& out, const calibration& c, std::size_t max_users = 500);

}  // namespace reports
