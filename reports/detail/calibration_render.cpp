// The calibration as CSV (every compared user), JSON (counts as named numbers, groups, misses, contradictions) and
// Markdown (for a ticket: counts, groups, every miss and contradiction with the user's licenses as evidence).
#include "reports/calibration.hpp"
#include "reports/detail/calibration_html.hpp"
#include "reports/detail/csv_writer.hpp"
#include "reports/detail/json_writer.hpp"
#include "reports/detail/output_file.hpp"
#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace reports {
namespace {

// The counts with their JSON names, in the order every output shows them.
std::vector<std::pair<std::string_view, std::int64_t>> named_counts(const calibration_counts& c) {
  return {{"hits", c.hits},
          {"misses", c.misses},
          {"uncertain_refused", c.uncertain_refused},
          {"contradictions", c.contradictions},
          {"uncertain_succeeded", c.uncertain_succeeded},
          {"agreed_successes", c.agreed_successes},
          {"other_failures", c.other_failures},
          {"status_differs", c.status_differs},
          {"predicted_not_seen", c.predicted_not_seen},
          {"unmatched_events", c.unmatched_events}};
}

std::string_view meaning(std::string_view name) {
  if (name == "hits") return "predicted refused, observed refused";
  if (name == "misses") return "observed refused, not predicted";
  if (name == "uncertain_refused") return "predicted \"may be refused\", observed refused";
  if (name == "contradictions") return "predicted refused, a later push succeeded";
  if (name == "uncertain_succeeded") return "predicted \"may be refused\", a later push succeeded";
  if (name == "agreed_successes") return "not predicted refused, a push succeeded";
  if (name == "other_failures") return "a failure that is not a license refusal";
  if (name == "status_differs") return "hits refused with another status than predicted";
  if (name == "predicted_not_seen") return "predicted refused in the newest snapshot, no push seen";
  return "events before any complete snapshot, or naming no user of it";
}

std::string licenses_cell(const calibration_user& u) {
  std::string out;
  for (const auto& l : u.licenses)
    out += fmt::format("{}{}:{}{}", out.empty() ? "" : ";", l.sku_part_number.empty() ? l.sku_id : l.sku_part_number,
                       l.origin, l.idp_outcome.empty() ? "" : ":" + l.idp_outcome);
  return out;
}

bool has_verdict(const calibration_user& u, std::initializer_list<std::string_view> verdicts) {
  return std::find(verdicts.begin(), verdicts.end(), u.verdict) != verdicts.end();
}

std::string percent(const std::optional<double>& v) { return v ? fmt::format("{:.1f}%", *v * 100) : "–"; }

void write_csv(const calibration& c, output_file& out) {
  std::string& b = out.buffer();
  append_csv_row(b, "user_id", "user_principal_name", "predicted", "observed", "verdict", "observed_at", "http_status",
                 "error_code", "error_message", "request_id", "scan_id", "licenses");
  for (const auto& u : c.users) {
    append_csv_row(b, u.user_id, u.user_principal_name, u.predicted, u.observed, u.verdict, u.observed_at,
                   u.http_status ? std::to_string(*u.http_status) : std::string{}, u.error_code, u.error_message,
                   u.request_id, std::to_string(u.scan_id), licenses_cell(u));
    out.maybe_flush();
  }
}

void json_ratio(json_writer& w, std::string_view name, const std::optional<double>& v) {
  w.key(name);
  if (v) w.real(*v);
  else w.null();
}

void json_groups(json_writer& w, std::string_view name, const std::vector<calibration_group>& groups) {
  w.key(name);
  w.start_array();
  for (const auto& g : groups) {
    w.start_object();
    w.member("key", g.key);
    w.member("hits", g.hits);
    w.member("misses", g.misses);
    w.member("contradictions", g.contradictions);
    json_ratio(w, "precision", g.precision);
    json_ratio(w, "recall", g.recall);
    w.end_object();
  }
  w.end_array();
}

void json_users(json_writer& w, std::string_view name, const calibration& c,
                std::initializer_list<std::string_view> verdicts) {
  w.key(name);
  w.start_array();
  for (const auto& u : c.users) {
    if (!has_verdict(u, verdicts)) continue;
    w.start_object();
    w.member("user_id", u.user_id);
    w.member("user_principal_name", u.user_principal_name);
    w.member("predicted", u.predicted);
    w.member("observed", u.observed);
    w.member("observed_at", u.observed_at);
    w.key("http_status");
    if (u.http_status) w.integer(*u.http_status);
    else w.null();
    w.member("error_code", u.error_code);
    w.member("error_message", u.error_message);
    w.member("request_id", u.request_id);
    w.member("scan_id", u.scan_id);
    w.key("licenses");
    w.start_array();
    for (const auto& l : u.licenses) {
      w.start_object();
      w.member("sku_id", l.sku_id);
      w.member("sku_part_number", l.sku_part_number);
      w.member("origin", l.origin);
      w.member("idp_outcome", l.idp_outcome);
      w.member("evidence", l.evidence);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

void write_json(const calibration& c, output_file& out) {
  json_writer w(out);
  w.start_object();
  w.member("tenant_id", c.tenant_id);
  w.member("latest_scan_id", c.latest_scan_id);
  w.key("preflight");
  w.boolean(c.preflight);
  w.member("events", c.events);
  w.member("users_compared", static_cast<std::int64_t>(c.users.size()));
  w.key("counts");
  w.start_object();
  for (const auto& [name, value] : named_counts(c.counts)) w.member(name, value);
  w.end_object();
  json_ratio(w, "precision", c.overall.precision);
  json_ratio(w, "recall", c.overall.recall);
  json_groups(w, "by_origin", c.by_origin);
  json_groups(w, "by_sku", c.by_sku);
  json_users(w, "misses", c, {"miss", "uncertain_refused"});
  json_users(w, "contradictions", c, {"contradiction"});
  w.end_object();
  out.write("\n");
}

void md_text(std::string& out, std::string_view text) { append_markdown_escaped(out, text); }

void md_groups(std::string& out, std::string_view title, const std::vector<calibration_group>& groups) {
  if (groups.empty()) return;
  out += fmt::format(
      "\n**By {}**\n\n| {} | hits | misses | contradictions | precision | recall |\n|---|---:|---:|---:|---:|"
      "---:|\n",
      title, title);
  for (const auto& g : groups) {
    out += "| ";
    md_text(out, g.key);
    out += fmt::format(" | {} | {} | {} | {} | {} |\n", g.hits, g.misses, g.contradictions, percent(g.precision),
                       percent(g.recall));
  }
}

void md_users(std::string& out, std::string_view title, const calibration& c,
              std::initializer_list<std::string_view> verdicts) {
  std::string list;
  for (const auto& u : c.users) {
    if (!has_verdict(u, verdicts)) continue;
    list += "- ";
    md_text(list, u.user_principal_name.empty() ? u.user_id : u.user_principal_name);
    list += " — observed ";
    md_text(list, u.observed);
    list += fmt::format(" at {}", readable_time(u.observed_at));
    if (!u.error_code.empty()) {
      list += " (";
      md_text(list, u.error_code);
      list += ")";
    }
    if (!u.request_id.empty()) {
      list += ", request-id ";
      md_text(list, u.request_id);
    }
    list += "; predicted ";
    md_text(list, u.predicted);
    list += fmt::format(" in snapshot {}. Licenses: ", u.scan_id);
    bool first = true;
    for (const auto& l : u.licenses) {
      list += first ? "" : ", ";
      first = false;
      md_text(list, l.sku_part_number.empty() ? l.sku_id : l.sku_part_number);
      list += " (";
      md_text(list, l.origin);
      if (!l.idp_outcome.empty()) {
        list += ", ";
        md_text(list, l.idp_outcome);
      }
      list += ")";
    }
    if (u.licenses.empty()) list += "none";
    list += "\n";
  }
  if (list.empty()) return;
  out += fmt::format("\n**{}**\n\n", title);
  out += list;
}

void write_md(const calibration& c, output_file& out) {
  std::string& b = out.buffer();
  b += fmt::format("### Predicted versus observed — tenant {}\n\n", c.tenant_id);
  b += fmt::format("{} identity provider events, {} users compared; newest snapshot {}.", c.events, c.users.size(),
                   c.latest_scan_id);
  if (!c.preflight)
    b += " **The snapshots carry no prediction**: scan with `--idp-managed-skus` (or `report --idp-managed-skus`) "
         "so that each license has an idp\\_outcome.";
  b += fmt::format(
      "\nPrecision {} (predicted refusals that were refused), recall {} (refusals that were predicted).\n\n",
      percent(c.overall.precision), percent(c.overall.recall));
  b += "| count | users | meaning |\n|---|---:|---|\n";
  for (const auto& [name, value] : named_counts(c.counts))
    b += fmt::format("| {} | {} | {} |\n", name, value, meaning(name));
  md_groups(b, "origin", c.by_origin);
  md_groups(b, "SKU", c.by_sku);
  md_users(b, "Misses (observed refused, not predicted)", c, {"miss", "uncertain_refused"});
  md_users(b, "Contradictions (predicted refused, a later push succeeded)", c, {"contradiction"});
}

std::string html(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

void html_groups(std::string& out, std::string_view title, const std::vector<calibration_group>& groups) {
  if (groups.empty()) return;
  out += fmt::format(
      "<h3>By {}</h3>\n<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>Hits</th><th>Misses"
      "</th><th>Contradictions</th><th>Precision</th><th>Recall</th></tr></thead><tbody>\n",
      title, title);
  for (const auto& g : groups)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", html(g.key),
                       g.hits, g.misses, g.contradictions, percent(g.precision), percent(g.recall));
  out += "</tbody></table></div>\n";
}

void html_users(std::string& out, std::string_view title, const calibration& c,
                std::initializer_list<std::string_view> verdicts, std::size_t max_users) {
  std::size_t shown = 0, total = 0;
  std::string items;
  for (const auto& u : c.users) {
    if (!has_verdict(u, verdicts)) continue;
    if (++total > max_users) continue;
    ++shown;
    std::string licenses;
    for (const auto& l : u.licenses)
      licenses += fmt::format("{}{} ({}{})", licenses.empty() ? "" : ", ",
                              html(l.sku_part_number.empty() ? l.sku_id : l.sku_part_number), html(l.origin),
                              l.idp_outcome.empty() ? "" : ", " + html(l.idp_outcome));
    items +=
        fmt::format("<li><strong>{}</strong>: observed {} at {}{}{}; predicted {} in snapshot {}. Licenses: {}</li>\n",
                    html(u.user_principal_name.empty() ? u.user_id : u.user_principal_name), html(u.observed),
                    html(readable_time(u.observed_at)), u.error_code.empty() ? "" : " (" + html(u.error_code) + ")",
                    u.request_id.empty() ? "" : ", request-id " + html(u.request_id), html(u.predicted), u.scan_id,
                    licenses.empty() ? "none" : licenses);
  }
  if (total == 0) return;
  out += fmt::format("<h3>{} ({})</h3>\n<ul>\n{}</ul>\n", title, total, items);
  if (total > shown)
    out += fmt::format("<p>… and {} more: <code>entra-audit report --calibration</code></p>\n", total - shown);
}

}  // namespace

void write_calibration_html(std::string& out, const calibration& c, std::size_t max_users) {
  out += fmt::format(
      "<section class=\"card section\" id=\"calibration\"><h2>Predicted versus observed</h2>\n<p>{} identity "
      "provider events, {} users compared with the snapshot taken before each push. Precision {} (predicted refusals "
      "that were refused), recall {} (refusals that were predicted).{}</p>\n",
      c.events, c.users.size(), percent(c.overall.precision), percent(c.overall.recall),
      c.preflight ? "" : " <strong>The snapshots carry no prediction</strong>: scan with --idp-managed-skus.");
  out +=
      "<div class=\"table-wrap\"><table id=\"calibration-table\"><thead><tr><th>Count</th><th>Users</th>"
      "<th>Meaning</th></tr></thead><tbody>\n";
  for (const auto& [name, value] : named_counts(c.counts))
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", name, value, html(meaning(name)));
  out += "</tbody></table></div>\n";
  html_groups(out, "origin", c.by_origin);
  html_groups(out, "SKU", c.by_sku);
  html_users(out, "Misses (observed refused, not predicted)", c, {"miss", "uncertain_refused"}, max_users);
  html_users(out, "Contradictions (predicted refused, a later push succeeded)", c, {"contradiction"}, max_users);
  out += "</section>\n";
}

namespace {}  // namespace

base::result<void> write_calibration(const calibration& c, calibration_format format, const std::string& out_path) {
  auto out = output_file::open(out_path);
  if (!out) return out.error();
  switch (format) {
    case calibration_format::csv:
      write_csv(c, *out);
      break;
    case calibration_format::json:
      write_json(c, *out);
      break;
    case calibration_format::md:
      write_md(c, *out);
      break;
  }
  return out->commit();
}

}  // namespace reports
