#include "reports/user_history.hpp"

#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

namespace reports {

namespace {

std::string md(std::string_view text) {
  std::string out;
  append_markdown_escaped(out, text);
  return out;
}

std::string when(const storage::scan_info& s) {
  return fmt::format("snapshot {} ({})", s.scan_id,
                     md(readable_time(s.finished_at.empty() ? s.started_at : s.finished_at)));
}

// The user's licenses in one snapshot, with the origin of each finding; the SKUs' part numbers from the snapshot.
base::result<user_in_snapshot> read_one(storage::database& db, const storage::scan_info& scan, const std::string& key) {
  user_in_snapshot seen;
  seen.scan = scan;
  std::vector<storage::assigned_license_record> licenses;
  auto users = db.for_each_user(scan.scan_id, [&](const storage::user_licenses& u) {
    if (seen.present || (ascii_lower(u.user.id) != key && ascii_lower(u.user.user_principal_name) != key)) return;
    seen.present = true;
    seen.user_id = u.user.id;
    seen.user_principal_name = u.user.user_principal_name;
    licenses = u.licenses;
  });
  if (!users) return users.error();
  if (!seen.present) return seen;
  std::unordered_map<std::string, std::string> origins;
  auto findings = db.for_each_finding(scan.scan_id, [&](const storage::finding_record& f) {
    if (f.user_id == seen.user_id) origins[ascii_lower(f.sku_id)] = f.origin;
  });
  if (!findings) return findings.error();
  auto skus = db.skus(scan.scan_id);
  if (!skus) return skus.error();
  std::unordered_map<std::string, std::string> part_numbers;
  for (const auto& s : *skus) part_numbers[ascii_lower(s.sku_id)] = s.sku_part_number;
  for (const auto& l : licenses) {
    std::string const id = ascii_lower(l.sku_id);
    auto const origin = origins.find(id);
    auto const part = part_numbers.find(id);
    seen.licenses.push_back({id, part == part_numbers.end() ? std::string() : part->second,
                             origin == origins.end() ? std::string("organization") : origin->second});
  }
  return seen;
}

}  // namespace

std::vector<license_period> license_periods(const std::vector<user_in_snapshot>& snapshots) {
  std::vector<license_period> done;
  // Open runs, keyed by (sku id, origin).
  std::map<std::pair<std::string, std::string>, license_period> open;
  for (std::size_t n = 0; n < snapshots.size(); ++n) {
    std::map<std::pair<std::string, std::string>, const held_license*> now;
    if (snapshots[n].present)
      for (const auto& l : snapshots[n].licenses) now[{l.sku_id, l.origin}] = &l;
    for (auto it = open.begin(); it != open.end();) {
      if (now.contains(it->first)) {
        it->second.last = n;
        ++it;
        continue;
      }
      it->second.gone_at = n;
      done.push_back(std::move(it->second));
      it = open.erase(it);
    }
    for (const auto& [key, l] : now)
      if (!open.contains(key)) open.emplace(key, license_period{*l, n, n, std::nullopt});
  }
  for (auto& [key, p] : open) done.push_back(std::move(p));
  std::sort(done.begin(), done.end(), [](const license_period& a, const license_period& b) {
    return std::tie(a.first, a.license.sku_part_number, a.license.sku_id, a.license.origin) <
           std::tie(b.first, b.license.sku_part_number, b.license.sku_id, b.license.origin);
  });
  return done;
}

base::result<std::vector<user_in_snapshot>> read_user_history(storage::database& db, std::string_view user,
                                                              std::string_view tenant_id) {
  auto scans = db.scans(tenant_id);
  if (!scans) return scans.error();
  std::string const key = ascii_lower(user);
  std::vector<user_in_snapshot> history;
  bool found = false;
  for (auto it = scans->rbegin(); it != scans->rend(); ++it) {  // scans() is newest first
    if (it->status != storage::scan_status::complete) continue;
    auto seen = read_one(db, *it, key);
    if (!seen) return seen.error();
    found = found || seen->present;
    history.push_back(std::move(*seen));
  }
  if (!found)
    return base::usage_error(fmt::format(
        "no user '{}' in the {} kept snapshot{} of '{}' — check the user principal "
        "name or object id{}",
        user, history.size(), history.size() == 1 ? "" : "s", db.path(), tenant_id.empty() ? "" : " and --tenant-id"));
  return history;
}

void render_user_history_md(const std::vector<user_in_snapshot>& snapshots, output_file& out) {
  std::string& o = out.buffer();
  const user_in_snapshot* latest = nullptr;
  for (const auto& s : snapshots)
    if (s.present) latest = &s;
  if (latest == nullptr) return;
  fmt::format_to(std::back_inserter(o), "### License history — {}\n\n", md(latest->user_principal_name));
  fmt::format_to(std::back_inserter(o), "User {} in tenant {}, across {} kept snapshot{}: {} to {}.\n\n",
                 md(latest->user_id), md(latest->scan.tenant_id), snapshots.size(), snapshots.size() == 1 ? "" : "s",
                 when(snapshots.front().scan), when(snapshots.back().scan));
  if (!snapshots.back().present)
    fmt::format_to(std::back_inserter(o), "Not in the newest snapshot: last seen in {}.\n\n", when(latest->scan));
  o += "| SKU | Origin | First seen | Last seen | Gone |\n|---|---|---|---|---|\n";
  for (const auto& p : license_periods(snapshots)) {
    const auto& l = p.license;
    fmt::format_to(std::back_inserter(o), "| {} | {} | {} | {} | {} |\n",
                   md(l.sku_part_number.empty() ? l.sku_id : l.sku_part_number), md(l.origin),
                   p.first == 0 ? when(snapshots[p.first].scan) + ", the oldest kept" : when(snapshots[p.first].scan),
                   when(snapshots[p.last].scan), p.gone_at ? when(snapshots[*p.gone_at].scan) : "still held");
  }
  out.maybe_flush();
}

}  // namespace reports
