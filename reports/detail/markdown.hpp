// reports/detail/markdown.hpp — a short Markdown summary for a ticket or a chat message.
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/records.hpp"

#include <span>

namespace reports {

// Writes the headline, counts by origin, top SKUs, top 10 users and how to get the full CSV, with every name
// Markdown-escaped; not committed: the caller commits.
// The "Doors" table (reports/detail/doors.hpp) comes right under the title.
base::result<void> render_markdown(const storage::scan_info& scan, const finding_source& source,
                                   std::span<const storage::door_summary> doors, output_file& out);

}  // namespace reports
