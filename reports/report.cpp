#include "reports/report.hpp"

#include "reports/calibration.hpp"
#include "reports/detail/by_owner.hpp"
#include "reports/detail/csv.hpp"
#include "reports/detail/diff.hpp"
#include "reports/detail/html.hpp"
#include "reports/detail/json.hpp"
#include "reports/detail/markdown.hpp"
#include "reports/detail/output_file.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace reports {

namespace {

// Snapshots drawn in the HTML trend chart: a quarter of nightly runs would crowd it, a dozen shows direction.
constexpr std::size_t trend_snapshots = 12;

finding_source source_of(storage::database& db, std::int64_t scan_id) {
  return [&db, scan_id](const finding_fn& fn) { return db.for_each_finding(scan_id, fn); };
}

base::result<storage::scan_info> find_scan(storage::database& db, std::int64_t scan_id) {
  auto scan = db.scan(scan_id);
  if (!scan) return scan.error();
  if (!*scan)
    return base::usage_error(
        fmt::format("no snapshot with id {} in database '{}' (omit --scan-id to use the latest "
                    "complete snapshot)",
                    scan_id, db.path()));
  return std::move(**scan);
}

bool same_tenant(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto const lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

// Finding counts of the tenant's complete snapshots up to scan, oldest first (the last trend_snapshots).
base::result<std::vector<trend_point>> trend_of(storage::database& db, const storage::scan_info& scan) {
  auto scans = db.scans(scan.tenant_id);
  if (!scans) return scans.error();
  std::vector<trend_point> points;
  for (const auto& s : *scans) {  // newest first
    if (points.size() == trend_snapshots) break;
    const bool is_this = s.scan_id == scan.scan_id;
    if (s.scan_id > scan.scan_id || (s.status != storage::scan_status::complete && !is_this)) continue;
    trend_point p{s.scan_id, s.finished_at.empty() ? s.started_at : s.finished_at, 0};
    // No count query in storage yet: counting by streaming is exact, only slower (see docs/reports.md).
    const auto counted = db.for_each_finding(s.scan_id, [&](const storage::finding_record&) { ++p.findings; });
    if (!counted) return counted.error();
    points.push_back(std::move(p));
  }
  std::reverse(points.begin(), points.end());
  return points;
}

}  // namespace

std::optional<format> parse_format(std::string_view name) {
  if (name == "csv") return format::csv;
  if (name == "json") return format::json;
  if (name == "html") return format::html;
  if (name == "md" || name == "markdown") return format::md;
  return std::nullopt;
}

std::optional<diff_format> parse_diff_format(std::string_view name) {
  if (name == "text") return diff_format::text;
  if (name == "csv") return diff_format::csv;
  if (name == "json") return diff_format::json;
  return std::nullopt;
}

base::result<void> write_report(storage::database& db, std::int64_t scan_id, const report_options& options) {
  auto scan = find_scan(db, scan_id);
  if (!scan) return scan.error();
  std::vector<trend_point> trend;
  std::optional<calibration> observed;  // the identity provider's events, when any were ingested
  if (options.fmt == format::html) {
    auto t = trend_of(db, *scan);
    if (!t) return t.error();
    trend = std::move(*t);
    auto c = calibrate(db, scan->tenant_id);
    if (!c) return c.error();
    if (c->events > 0) observed = std::move(*c);
  }
  // Opened only once the snapshot is known to exist, so a wrong id leaves no file behind.
  auto out = output_file::open(options.out_path);
  if (!out) return out.error();
  const auto source = source_of(db, scan_id);
  base::result<void> rendered;
  switch (options.fmt) {
    case format::csv:
      rendered = render_csv(source, *out);
      break;
    case format::json:
      rendered = render_json(*scan, source, options.doors, *out);
      break;
    case format::html:
      rendered = render_html(*scan, trend, source, *out,
                             {.doors = options.doors, .observed = observed ? &*observed : nullptr});
      break;
    case format::md:
      rendered = render_markdown(*scan, source, options.doors, *out);
      break;
  }
  if (!rendered) return rendered.error();
  return out->commit();
}

base::result<std::vector<std::string>> write_reports_by_owner(storage::database& db, std::int64_t scan_id,
                                                              const std::string& out_dir) {
  if (auto scan = find_scan(db, scan_id); !scan) return scan.error();
  return render_by_owner(source_of(db, scan_id), out_dir);
}

base::result<void> write_diff(storage::database& db, std::int64_t from_scan, std::int64_t to_scan, diff_format fmt,
                              const std::string& out_path) {
  auto from = find_scan(db, from_scan);
  if (!from) return from.error();
  auto to = find_scan(db, to_scan);
  if (!to) return to.error();
  if (!same_tenant(from->tenant_id, to->tenant_id))
    return base::usage_error(
        fmt::format("cannot diff snapshot {} (tenant {}) with snapshot {} (tenant {}): a diff "
                    "compares two snapshots of the same tenant",
                    from_scan, from->tenant_id, to_scan, to->tenant_id));
  auto changes = compute_diff(source_of(db, from_scan), source_of(db, to_scan));
  if (!changes) return changes.error();
  auto out = output_file::open(out_path);
  if (!out) return out.error();
  auto from_doors = db.doors(from_scan);
  if (!from_doors) return from_doors.error();
  auto to_doors = db.doors(to_scan);
  if (!to_doors) return to_doors.error();
  render_diff(*from, *to, *changes, compare_doors(*from_doors, *to_doors), fmt, *out);
  return out->commit();
}

base::result<std::int64_t> previous_complete_scan(storage::database& db, std::int64_t scan_id) {
  auto scan = find_scan(db, scan_id);
  if (!scan) return scan.error();
  auto scans = db.scans(scan->tenant_id);
  if (!scans) return scans.error();
  for (const auto& s : *scans)  // newest first
    if (s.scan_id < scan_id && s.status == storage::scan_status::complete) return s.scan_id;
  return std::int64_t{0};
}

base::result<snapshot_changes> changes_between(storage::database& db, std::int64_t from_scan, std::int64_t to_scan) {
  return compute_changes(from_scan > 0 ? source_of(db, from_scan) : no_findings(), source_of(db, to_scan));
}

base::result<void> write_changes_md(storage::database& db, std::int64_t from_scan, std::int64_t to_scan,
                                    const snapshot_changes& changes, const std::string& out_path) {
  std::optional<storage::scan_info> from;
  if (from_scan > 0) {
    auto found = find_scan(db, from_scan);
    if (!found) return found.error();
    from = std::move(*found);
  }
  auto to = find_scan(db, to_scan);
  if (!to) return to.error();
  auto out = output_file::open(out_path);
  if (!out) return out.error();
  render_changes_md(from ? &*from : nullptr, *to, changes, *out);
  return out->commit();
}

}  // namespace reports
