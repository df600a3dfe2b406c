#include "reports/detail/html.hpp"

#include "reports/detail/calibration_html.hpp"
#include "reports/detail/doors.hpp"
#include "reports/detail/html_assets.hpp"
#include "reports/detail/origins.hpp"
#include "reports/detail/summary.hpp"
#include "reports/detail/text.hpp"
#include "storage/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace reports {

namespace {

// Bars shown per chart before the rest are folded into "Other".
constexpr std::size_t chart_rows = 8;

std::string esc(std::string_view text) {
  std::string out;
  append_html_escaped(out, valid_utf8(text));
  return out;
}

std::string plural(std::int64_t n, std::string_view one, std::string_view many) {
  return with_separators(n) + " " + std::string(n == 1 ? one : many);
}

std::string origin_label(std::string_view name) {
  const auto* info = find_origin(name);
  return info != nullptr ? std::string(info->label) : std::string(name);
}

std::string origin_colour(std::string_view name) {
  const auto* info = find_origin(name);
  return std::string(info != nullptr ? info->colour : other_origin_colour);
}

void write_head(std::string& o, const storage::scan_info& scan) {
  const auto tenant = scan.tenant_name.empty() ? scan.tenant_id : scan.tenant_name;
  o += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       // The file holds personal data and opens from disk: forbid every fetch, allow only its own inline code.
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
       "<meta name=\"referrer\" content=\"no-referrer\">\n";
  fmt::format_to(std::back_inserter(o), "<title>License provisioning readiness — {}</title>\n<style>", esc(tenant));
  o += html_assets::css;
  for (const auto& info : finding_origins) {
    fmt::format_to(std::back_inserter(o),
                   ".badge[data-origin={0}]{{background:{1}}}.guidance .card[data-origin={0}]"
                   "{{border-top-color:{1}}}\n",
                   info.name, info.colour);
  }
  o += "</style>\n</head>\n";
}

void write_header(std::string& o, const storage::scan_info& scan) {
  const auto tenant = scan.tenant_name.empty() ? scan.tenant_id : scan.tenant_name;
  o += "<body data-ready=\"0\">\n<header class=\"top\">\n"
       "<div class=\"brand\">entra-audit · License provisioning readiness</div>\n";
  fmt::format_to(std::back_inserter(o), "<h1>{}</h1>\n<div class=\"meta\">", esc(tenant));
  fmt::format_to(std::back_inserter(o), "<span>Tenant <b>{}</b></span>", esc(scan.tenant_id));
  fmt::format_to(std::back_inserter(o), "<span>Snapshot <b>#{}</b> ({})</span>", scan.scan_id,
                 esc(storage::to_string(scan.status)));
  fmt::format_to(std::back_inserter(o), "<span>Taken <b>{}</b></span>",
                 esc(readable_time(scan.finished_at.empty() ? scan.started_at : scan.finished_at)));
  fmt::format_to(std::back_inserter(o), "<span><b>{}</b> users scanned</span>", with_separators(scan.users));
  if (!scan.license_details_mode.empty())
    fmt::format_to(std::back_inserter(o), "<span>Mode <b>{}</b></span>", esc(scan.license_details_mode));
  o += "</div>\n</header>\n<main>\n";
}

void write_headline(std::string& o, const findings_summary& s) {
  if (s.findings == 0) {
    o += "<section class=\"card headline clear\"><div class=\"big\">0</div><div><div class=\"what\">"
         "No findings — provisioning will not be blocked</div><p>Every license in this snapshot comes from an "
         "organization subscription, so an identity provider's <code>assignLicense</code> can replace them all."
         "</p></div></section>\n";
    return;
  }
  const auto n = headline_users(s);
  std::string what, detail;
  if (s.preflight) {
    // The number stands beside the text in large type: the text does not repeat it.
    what = n == 0   ? "No user will break provisioning"
           : n == 1 ? "user will break provisioning"
                    : "users will break provisioning";
    detail = fmt::format(
        "For these users the identity provider's <code>assignLicense</code> call would fail: Graph refuses to remove "
        "a license they hold (403 for {}, 400 for {}, possibly refused for {}). {} across {} are outside the "
        "organization's own subscriptions.",
        plural(s.users_refused_403, "user", "users"), plural(s.users_refused_400, "user", "users"),
        plural(s.users_may_be_refused, "user", "users"), plural(s.findings, "license", "licenses"),
        plural(s.users_with_findings, "user", "users"));
  } else {
    what = n == 1 ? "user holds licenses provisioning cannot remove" : "users hold licenses provisioning cannot remove";
    detail = fmt::format(
        "{} come from group-based licensing, partners, self-service purchases, trials or sign-ups. No pre-flight "
        "was run: render with <code>--idp-managed-skus</code> to see exactly whose <code>assignLicense</code> call "
        "would be refused.",
        plural(s.findings, "license", "licenses"));
  }
  fmt::format_to(std::back_inserter(o),
                 "<section class=\"card headline{}\"><div class=\"big\">{}</div><div><div class=\"what\">{}</div>"
                 "<p>{}</p></div></section>\n",
                 n == 0 ? " clear" : "", with_separators(n), what, detail);
}

void write_kpis(std::string& o, const findings_summary& s) {
  const auto kpi = [&](std::string_view cls, std::int64_t v, std::string_view label) {
    fmt::format_to(std::back_inserter(o),
                   "<div class=\"card kpi {}\"><div class=\"v\">{}</div><div class=\"l\">{}"
                   "</div></div>",
                   cls, with_separators(v), label);
  };
  o += "<section class=\"kpis\">";
  kpi("", s.findings, "Findings");
  kpi("", s.users_with_findings, "Users with findings");
  kpi("", static_cast<std::int64_t>(s.by_sku.size()), "SKUs affected");
  if (s.preflight) {
    kpi(s.users_refused_403 ? "bad" : "", s.users_refused_403, "Users refused (403)");
    kpi(s.users_refused_400 ? "bad" : "", s.users_refused_400, "Users refused (400)");
    kpi(s.users_may_be_refused ? "warn" : "", s.users_may_be_refused, "Users maybe refused");
  }
  o += "</section>\n";
}

// Keeps the first chart_rows bars and folds the rest into one "Other (n)" bar.
std::vector<chart_bar> fold(std::vector<chart_bar> bars, std::string_view what) {
  if (bars.size() <= chart_rows) return bars;
  std::int64_t rest = 0;
  for (std::size_t i = chart_rows - 1; i < bars.size(); ++i) rest += bars[i].value;
  const auto others = bars.size() - (chart_rows - 1);
  bars.resize(chart_rows - 1);
  bars.push_back({fmt::format("Other ({} {})", others, what), rest, "#cbd5e1"});
  return bars;
}

void write_figure(std::string& o, std::string_view caption, std::string_view note, const std::string& svg) {
  fmt::format_to(std::back_inserter(o),
                 "<figure class=\"card\"><figcaption>{}<small>{}</small></figcaption>{}</figure>\n", caption, note,
                 svg);
}

void write_charts(std::string& o, const findings_summary& s, const std::vector<trend_point>& trend) {
  o += "<section class=\"charts\">\n";
  const auto empty = std::string("<div class=\"empty-chart\">No findings</div>");
  std::vector<chart_bar> origins;
  for (const auto& [name, n] : s.by_origin)
    if (n > 0) origins.push_back({origin_label(name), n, origin_colour(name)});
  write_figure(o, "Findings by origin", "licenses",
               origins.empty() ? empty : svg_bar_chart(origins, "Findings by origin"));

  std::vector<chart_bar> skus;
  for (const auto& sku : s.by_sku) {
    auto label = sku.sku_part_number.empty() ? sku.sku_id : sku.sku_part_number;
    skus.push_back({std::move(label), sku.findings, "#0ea5e9"});
  }
  write_figure(o, "Findings by SKU", "licenses",
               skus.empty() ? empty : svg_bar_chart(fold(std::move(skus), "SKUs"), "Findings by SKU"));

  std::vector<chart_bar> departments;
  for (const auto& d : s.by_department)
    departments.push_back({d.department.empty() ? "(no department)" : d.department, d.users, "#6366f1"});
  write_figure(o, "Users with findings by department", "users",
               departments.empty()
                   ? empty
                   : svg_bar_chart(fold(std::move(departments), "departments"), "Users with findings by department"));

  const auto trend_note =
      trend.size() < 2 ? std::string() : fmt::format("findings in the last {} snapshots", trend.size());
  write_figure(o, "Trend across snapshots", trend_note,
               trend.empty() ? std::string("<div class=\"empty-chart\">No complete snapshot yet</div>")
                             : svg_trend_chart(trend, "Findings across snapshots"));
  o += "</section>\n";
}

void write_table_shell(std::string& o, const storage::scan_info& scan, const findings_summary& s,
                       const html_options& options) {
  o += "<section class=\"card section\" id=\"findings\"><h2>Findings</h2>\n<div class=\"controls\">"
       "<input type=\"search\" id=\"filter-text\" placeholder=\"Filter by user, name, department, SKU, owner…\" "
       "aria-label=\"Filter findings\"><select id=\"filter-origin\" aria-label=\"Origin\"><option value=\"\">All "
       "origins</option>";
  for (const auto& [name, n] : s.by_origin)
    if (n > 0)
      fmt::format_to(std::back_inserter(o), "<option value=\"{}\">{} ({})</option>", esc(name), esc(origin_label(name)),
                     with_separators(n));
  o += "</select>";
  if (s.preflight) {
    o += "<select id=\"filter-outcome\" aria-label=\"IdP outcome\"><option value=\"\">All outcomes</option>";
    for (const auto& [name, n] : s.by_idp_outcome)
      if (n > 0)
        fmt::format_to(std::back_inserter(o), "<option value=\"{}\">{} ({})</option>", esc(name), esc(name),
                       with_separators(n));
    o += "</select>";
  }
  o += "<span class=\"count\" id=\"shown-count\"></span></div>\n";
  if (static_cast<std::size_t>(s.findings) > options.max_rows) {
    fmt::format_to(std::back_inserter(o),
                   "<p class=\"note\">This file embeds the first {} of {} findings (sorted by user); counts and "
                   "charts cover all of them. The CSV has every row: <code>entra-audit report --scan-id {} --format "
                   "csv --out findings.csv</code></p>\n",
                   with_separators(static_cast<std::int64_t>(options.max_rows)), with_separators(s.findings),
                   scan.scan_id);
  }
  o += "<div class=\"table-wrap\"><table id=\"findings-table\"><thead><tr>"
       "<th data-col=\"user\">User</th><th data-col=\"department\">Department</th><th data-col=\"sku\">SKU</th>"
       "<th data-col=\"origin\">Origin</th>";
  if (s.preflight) o += "<th data-col=\"outcome\">IdP outcome</th>";
  o += "<th data-col=\"assignment\">Assignment</th><th data-col=\"owners\">Owners</th>"
       "<th data-col=\"confidence\">Confidence</th><th data-col=\"enabled\">Enabled</th></tr></thead><tbody></tbody>"
       "</table></div>\n<button type=\"button\" id=\"show-more\" hidden>Show more</button>\n"
       "<noscript><p>The table needs JavaScript; the CSV export has the same rows.</p></noscript>\n</section>\n";
}

void write_guidance(std::string& o, const findings_summary& s) {
  o += "<section class=\"section\"><h2>What to do, by origin</h2><div class=\"guidance\">\n";
  bool any = false;
  for (const auto& [name, n] : s.by_origin) {
    const auto* info = find_origin(name);
    if (info == nullptr || n == 0) continue;
    any = true;
    fmt::format_to(std::back_inserter(o),
                   "<div class=\"card\" data-origin=\"{}\"><h3>{} <small>({})</small></h3><div class=\"refusal\">"
                   "Graph's answer to a removal: {} · {}</div><p>{}</p></div>\n",
                   info->name, info->label, plural(n, "license", "licenses"), info->refusal, info->name,
                   info->guidance);
  }
  if (!any)
    o += "<div class=\"card\"><p>Nothing to do: no license comes from outside the organization's own "
         "subscriptions.</p></div>\n";
  o += "</div></section>\n";
}

void write_footer(std::string& o, const storage::scan_info& scan) {
  fmt::format_to(std::back_inserter(o),
                 "<footer>Generated by entra-audit {} from snapshot #{}. Full list as CSV: <code>entra-audit report "
                 "--scan-id {} --format csv --out findings.csv</code>. This report contains personal data: store and "
                 "share it like the database.</footer>\n</main>\n",
                 esc(scan.tool_version), scan.scan_id, scan.scan_id);
}

// The findings table's data as JSON inside a non-executing script element; every string is escaped for that
// context (append_script_json_string), so no value can end the element.
base::result<void> write_data(output_file& out, const finding_source& source, const html_options& options) {
  auto& o = out.buffer();
  o += "<script type=\"application/json\" id=\"report-data\">{\"fields\":{\"upn\":0,\"name\":1,\"department\":2,"
       "\"sku\":3,\"product\":4,\"origin\":5,\"outcome\":6,\"assignment\":7,\"owners\":8,\"confidence\":9,"
       "\"enabled\":10},\"origin_labels\":{";
  bool first = true;
  for (const auto& info : finding_origins) {
    if (!first) o += ',';
    first = false;
    append_script_json_string(o, info.name);
    o += ':';
    append_script_json_string(o, info.label);
  }
  o += "},\"rows\":[";
  std::size_t rows = 0;
  const auto streamed = source([&](const storage::finding_record& f) {
    if (rows == options.max_rows) return;
    auto& b = out.buffer();
    b += rows == 0 ? "\n[" : ",\n[";
    ++rows;
    // Who can remove it: the owners, or for an inherited license the groups that assign it (when their names were
    // read).
    auto const owners = !f.owner_upns.empty()    ? f.owner_upns
                        : !f.owner_ids.empty()   ? f.owner_ids
                        : !f.group_names.empty() ? f.group_names
                                                 : f.owner_tenant_ids;
    std::string_view const cells[] = {f.user_principal_name,
                                      f.display_name,
                                      f.department,
                                      f.sku_part_number.empty() ? std::string_view(f.sku_id) : f.sku_part_number,
                                      f.product_name,
                                      f.origin,
                                      f.idp_outcome,
                                      f.assignment,
                                      owners,
                                      f.confidence,
                                      !f.account_enabled   ? ""
                                      : *f.account_enabled ? "true"
                                                           : "false"};
    for (std::size_t i = 0; i < std::size(cells); ++i) {
      if (i > 0) b += ',';
      append_script_json_string(b, cells[i]);
    }
    b += ']';
    out.maybe_flush();
  });
  if (!streamed) return streamed.error();
  out.buffer() += "]}</script>\n";
  return {};
}

}  // namespace

base::result<void> render_html(const storage::scan_info& scan, const std::vector<trend_point>& trend,
                               const finding_source& source, output_file& out, const html_options& options) {
  summary_builder builder;
  if (auto r = source([&](const storage::finding_record& f) { builder.add(f); }); !r) return r.error();
  const auto s = builder.finish();

  auto& o = out.buffer();
  write_head(o, scan);
  write_header(o, scan);
  write_doors_html(o, options.doors);
  if (options.observed != nullptr) write_calibration_html(o, *options.observed);
  write_headline(o, s);
  write_kpis(o, s);
  write_charts(o, s, trend);
  write_table_shell(o, scan, s, options);
  write_guidance(o, s);
  write_footer(o, scan);
  out.maybe_flush();
  if (auto r = write_data(out, source, options); !r) return r.error();
  out.write("<script>");
  out.write(html_assets::js);
  out.write("</script>\n</body>\n</html>\n");
  return {};
}

}  // namespace reports
