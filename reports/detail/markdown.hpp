// reports/detail/markdown.hpp — a short Markdown summary for a ticket or a chat message.
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/records.hpp"

namespace reports {

// Writes the headline, counts by origin, top SKUs, top 10 users and how to get the full CSV, with every name
// Markdown-escaped; not committed: the caller commits.
base::result<void> render_markdown(const storage::scan_info& scan, const finding_source& source, output_file& out);

}  // namespace reports
