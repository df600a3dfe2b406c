#include "reports/detail/markdown.hpp"

#include "reports/detail/doors.hpp"
#include "reports/detail/origins.hpp"
#include "reports/detail/summary.hpp"
#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace reports {

namespace {

constexpr std::size_t top_skus = 5;
constexpr std::size_t top_users = 10;

std::string md(std::string_view text) {
  std::string out;
  append_markdown_escaped(out, text);
  return out;
}

std::string origin_label(std::string_view name) {
  const auto* info = find_origin(name);
  return info != nullptr ? fmt::format("{} ({})", info->label, md(name)) : md(name);
}

void write_headline(std::string& out, const findings_summary& s) {
  if (s.findings == 0) {
    out +=
        "**No findings — provisioning will not be blocked.** Every license in this snapshot is organization-owned.\n\n";
    return;
  }
  if (s.preflight) {
    fmt::format_to(std::back_inserter(out),
                   "**{} user{} will break provisioning**: the identity provider's `assignLicense` would be refused "
                   "(403: {}, 400: {}, may be refused: {}). {} finding{} across {} user{}.\n\n",
                   s.users_blocked, s.users_blocked == 1 ? "" : "s", s.users_refused_403, s.users_refused_400,
                   s.users_may_be_refused, s.findings, s.findings == 1 ? "" : "s", s.users_with_findings,
                   s.users_with_findings == 1 ? "" : "s");
    return;
  }
  fmt::format_to(std::back_inserter(out),
                 "**{} user{} hold{} licenses an identity provider's `assignLicense` cannot remove** ({} finding{}). "
                 "Run the report with `--idp-managed-skus` to see whose call would be refused.\n\n",
                 s.users_with_findings, s.users_with_findings == 1 ? "" : "s", s.users_with_findings == 1 ? "s" : "",
                 s.findings, s.findings == 1 ? "" : "s");
}

}  // namespace

base::result<void> render_markdown(const storage::scan_info& scan, const finding_source& source,
                                   std::span<const storage::door_summary> doors, output_file& out) {
  summary_builder builder(top_users);
  if (auto r = source([&](const storage::finding_record& f) { builder.add(f); }); !r) return r.error();
  const auto s = builder.finish();

  std::string& o = out.buffer();
  const auto tenant = scan.tenant_name.empty() ? scan.tenant_id : scan.tenant_name;
  fmt::format_to(std::back_inserter(o), "### License provisioning readiness — {}\n\n", md(tenant));
  fmt::format_to(std::back_inserter(o), "Tenant {}, snapshot {} taken {}.\n\n", md(scan.tenant_id), scan.scan_id,
                 md(readable_time(scan.finished_at.empty() ? scan.started_at : scan.finished_at)));
  write_doors_markdown(o, doors);
  write_headline(o, s);

  if (s.findings > 0) {
    o += "| Origin | Findings |\n|---|---:|\n";
    for (const auto& [name, n] : s.by_origin)
      if (n > 0) fmt::format_to(std::back_inserter(o), "| {} | {} |\n", origin_label(name), n);
    o += "\n**Top SKUs**\n\n| SKU | Product | Findings |\n|---|---|---:|\n";
    for (std::size_t i = 0; i < std::min(top_skus, s.by_sku.size()); ++i) {
      const auto& sku = s.by_sku[i];
      fmt::format_to(std::back_inserter(o), "| {} | {} | {} |\n",
                     md(sku.sku_part_number.empty() ? sku.sku_id : sku.sku_part_number), md(sku.product_name),
                     sku.findings);
    }
    if (!s.by_group.empty()) {
      // Only when the scan read the groups' names (GroupMember.Read.All): group_ids alone are in the CSV.
      o += "\n**Licensing groups** (Graph refuses direct removal of an inherited license: remove the users from the "
           "group or exclude them from it in the identity provider)\n\n| Group | Findings |\n|---|---:|\n";
      for (const auto& g : s.by_group) fmt::format_to(std::back_inserter(o), "| {} | {} |\n", md(g.name), g.findings);
    }
    fmt::format_to(std::back_inserter(o), "\n**Top {} users**\n\n| User | Name | Findings |{}\n|---|---|---:|{}\n",
                   std::min(top_users, s.top_users.size()), s.preflight ? " Blocked |" : "",
                   s.preflight ? ":---:|" : "");
    for (const auto& u : s.top_users) {
      fmt::format_to(std::back_inserter(o), "| {} | {} | {} |{}\n", md(u.user_principal_name), md(u.display_name),
                     u.findings, s.preflight ? (u.blocked ? " yes |" : " no |") : "");
    }
    o += "\n";
  }
  fmt::format_to(std::back_inserter(o),
                 "Full list (CSV, one row per user and SKU): `entra-audit report --scan-id {} --format csv --out "
                 "findings.csv`\n",
                 scan.scan_id);
  return {};
}

}  // namespace reports
