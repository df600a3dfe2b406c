#include "reports/detail/changes.hpp"

#include "reports/detail/diff.hpp"
#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace reports {

namespace {

// docs/design.md §4.3: a user's whole assignLicense call fails when any of its rows is refused; "may be refused"
// is not counted, it cannot be told from Graph's data.
bool refused(std::string_view outcome) { return outcome == "removal_refused_403" || outcome == "removal_refused_400"; }

struct refusals {
  std::string user_principal_name;
  std::set<std::string> outcomes;
};

base::result<std::map<std::string, refusals>> refused_users(const finding_source& source) {
  std::map<std::string, refusals> users;
  auto read = source([&](const storage::finding_record& f) {
    if (!refused(f.idp_outcome)) return;
    auto& u = users[f.user_id];
    u.user_principal_name = f.user_principal_name;
    u.outcomes.insert(f.idp_outcome);
  });
  if (!read) return read.error();
  return users;
}

bool by_name(const changed_finding& a, const changed_finding& b) {
  return std::tie(a.user_principal_name, a.sku_part_number, a.sku_id, a.origin) <
         std::tie(b.user_principal_name, b.sku_part_number, b.sku_id, b.origin);
}

std::string md(std::string_view text) {
  std::string out;
  append_markdown_escaped(out, text);
  return out;
}

void write_findings(std::string& o, std::string_view title, const std::vector<changed_finding>& findings) {
  if (findings.empty()) return;
  fmt::format_to(std::back_inserter(o), "**{} ({})**\n\n| User | SKU | Origin |\n|---|---|---|\n", title,
                 findings.size());
  for (const auto& f : findings)
    fmt::format_to(std::back_inserter(o), "| {} | {} | {} |\n", md(f.user_principal_name),
                   md(f.sku_part_number.empty() ? f.sku_id : f.sku_part_number), md(f.origin));
  o += '\n';
}

}  // namespace

finding_source no_findings() {
  return [](const finding_fn&) -> base::result<void> { return {}; };
}

base::result<snapshot_changes> compute_changes(const finding_source& from, const finding_source& to) {
  // The diff keys on (tenant, user, SKU) and reports a changed origin as a change; here a finding is also its
  // origin, so a change is one finding resolved and another new.
  auto diff = compute_diff(from, to);
  if (!diff) return diff.error();
  snapshot_changes changes;
  for (auto& e : *diff) {
    if (e.change != "new")
      changes.resolved.push_back({e.user_id, e.user_principal_name, e.sku_id, e.sku_part_number, e.from_origin});
    if (e.change != "resolved")
      changes.added.push_back({e.user_id, e.user_principal_name, e.sku_id, e.sku_part_number, e.to_origin});
  }
  std::sort(changes.added.begin(), changes.added.end(), by_name);
  std::sort(changes.resolved.begin(), changes.resolved.end(), by_name);

  auto before = refused_users(from);
  if (!before) return before.error();
  auto now = refused_users(to);
  if (!now) return now.error();
  for (auto& [user_id, r] : *now) {
    if (before->contains(user_id)) continue;
    std::string outcomes;
    for (const auto& o : r.outcomes) outcomes += (outcomes.empty() ? "" : ";") + o;
    changes.newly_refused.push_back({user_id, std::move(r.user_principal_name), std::move(outcomes)});
  }
  std::sort(changes.newly_refused.begin(), changes.newly_refused.end(), [](const auto& a, const auto& b) {
    return std::tie(a.user_principal_name, a.user_id) < std::tie(b.user_principal_name, b.user_id);
  });
  return changes;
}

void render_changes_md(const storage::scan_info* from, const storage::scan_info& to, const snapshot_changes& changes,
                       output_file& out) {
  if (changes.empty()) return;
  std::string& o = out.buffer();
  const auto tenant = to.tenant_name.empty() ? to.tenant_id : to.tenant_name;
  fmt::format_to(std::back_inserter(o), "### What changed — {}\n\n", md(tenant));
  const auto taken = [](const storage::scan_info& s) {
    return md(readable_time(s.finished_at.empty() ? s.started_at : s.finished_at));
  };
  if (from != nullptr)
    fmt::format_to(std::back_inserter(o), "Tenant {}: snapshot {} ({}) since snapshot {} ({}).\n\n", md(to.tenant_id),
                   to.scan_id, taken(to), from->scan_id, taken(*from));
  else
    fmt::format_to(std::back_inserter(o), "Tenant {}: snapshot {} ({}), the tenant's first.\n\n", md(to.tenant_id),
                   to.scan_id, taken(to));
  fmt::format_to(std::back_inserter(o), "{} new finding{}, {} resolved, {} user{} newly blocked.\n\n",
                 changes.added.size(), changes.added.size() == 1 ? "" : "s", changes.resolved.size(),
                 changes.newly_refused.size(), changes.newly_refused.size() == 1 ? "" : "s");
  if (!changes.newly_refused.empty()) {
    fmt::format_to(std::back_inserter(o),
                   "**Newly blocked ({})**: the identity provider's `assignLicense` would now be refused\n\n"
                   "| User | Refusal |\n|---|---|\n",
                   changes.newly_refused.size());
    for (const auto& u : changes.newly_refused)
      fmt::format_to(std::back_inserter(o), "| {} | {} |\n", md(u.user_principal_name), md(u.outcomes));
    o += '\n';
  }
  write_findings(o, "New findings", changes.added);
  write_findings(o, "Resolved findings", changes.resolved);
  out.maybe_flush();
}

}  // namespace reports
