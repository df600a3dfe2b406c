// reports/detail/finding_source.hpp — the one thing renderers need from storage: a snapshot's findings, streamed in
// the CSV order (upn, sku part number, sku id; bytes). Lets renderers be tested without a database.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <functional>

namespace reports {

using finding_fn = std::function<void(const storage::finding_record&)>;

// Calls fn for every finding of one snapshot, in the CSV order; may be called more than once (two-pass renderers).
using finding_source = std::function<base::result<void>(const finding_fn& fn)>;

}  // namespace reports
