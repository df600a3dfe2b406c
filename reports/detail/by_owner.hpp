// reports/detail/by_owner.hpp — one findings CSV per license owner, for the people who bought the licenses.
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"

#include <string>
#include <vector>

namespace reports {

// Splits source into out_dir/<owner>.csv (purchaser UPN, else purchaser id, and partner tenant id; a finding
// with several owners goes to each), unowned.csv (no owner) and index.csv (owner, owner_kind, file, findings,
// users). Creates out_dir (0700) when its parent exists. Memory stays bounded: rows are buffered and appended
// to temporary files, which are renamed into place only when everything was written. Returns the paths
// written, index.csv last.
base::result<std::vector<std::string>> render_by_owner(const finding_source& source, const std::string& out_dir);

}  // namespace reports
