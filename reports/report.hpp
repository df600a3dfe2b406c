// reports/report.hpp — renders a stored snapshot's findings as CSV, JSON, HTML or Markdown, per owner, or as a
// diff between two snapshots (docs/design.md §2.3 report/diff, §4 findings CSV; fields in docs/reports.md).
#pragma once

#include "base/error.hpp"
#include "reports/detail/changes.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

enum class format { csv, json, html, md };

struct report_options {
  format fmt = format::csv;
  std::string out_path;  // empty = stdout
  // The snapshot's doors (audit::summarize_doors, wired by the app): the "Doors" section of JSON, HTML and
  // Markdown; the CSV ignores them.
  std::vector<storage::door_summary> doors;
};

// Renders the snapshot's findings; a missing snapshot is a usage error (exit 2) naming the id. A file is
// written with mode 0600 through a temporary file in the same directory, so a failure never leaves half a file.
base::result<void> write_report(storage::database& db, std::int64_t scan_id, const report_options& options);

// Writes one findings CSV per license owner (purchaser UPN/id or partner tenant id) into out_dir, plus
// unowned.csv and index.csv; returns the files written (index last).
base::result<std::vector<std::string>> write_reports_by_owner(storage::database& db, std::int64_t scan_id,
                                                              const std::string& out_dir);

enum class diff_format { text, csv, json };

// Findings new, resolved and changed (origin changed) between two snapshots of the same tenant, keyed on
// (tenant, user, SKU); snapshots of different tenants or a missing snapshot are usage errors.
base::result<void> write_diff(storage::database& db, std::int64_t from_scan, std::int64_t to_scan, diff_format fmt,
                              const std::string& out_path);

// The tenant's newest complete snapshot older than scan_id, or 0 when it has none (its first scan).
base::result<std::int64_t> previous_complete_scan(storage::database& db, std::int64_t scan_id);
// What changed from from_scan (0: none, everything in to_scan is new) to to_scan (reports/detail/changes.hpp).
base::result<snapshot_changes> changes_between(storage::database& db, std::int64_t from_scan, std::int64_t to_scan);
// Writes changes (from from_scan to to_scan) as Markdown to out_path ("-" = stdout): when there are none, an
// empty file and nothing on stdout.
base::result<void> write_changes_md(storage::database& db, std::int64_t from_scan, std::int64_t to_scan,
                                    const snapshot_changes& changes, const std::string& out_path);

// Parses "csv", "json", "html" or "md" (also "markdown"); nullopt otherwise.
std::optional<format> parse_format(std::string_view name);
// Parses "text", "csv" or "json"; nullopt otherwise.
std::optional<diff_format> parse_diff_format(std::string_view name);

}  // namespace reports
