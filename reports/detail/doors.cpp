#include "reports/detail/doors.hpp"

#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace reports {
namespace {

// Open doors first (they are what to act on), then unknown, then closed; the given order within each.
std::vector<const storage::door_summary*> in_report_order(std::span<const storage::door_summary> doors) {
  std::vector<const storage::door_summary*> out;
  for (std::string_view state : {"open", "unknown", "closed"})
    for (auto const& d : doors)
      if (d.door.state == state) out.push_back(&d);
  return out;
}

std::string html(std::string_view text) {
  std::string out;
  append_html_escaped(out, text);
  return out;
}

std::string md(std::string_view text) {
  std::string out;
  append_markdown_escaped(out, text);
  return out;
}

std::string_view state_label(std::string_view state) {
  return state == "open" ? "Open" : state == "closed" ? "Closed" : "Unknown";
}

}  // namespace

void write_doors_json(json_writer& w, std::span<const storage::door_summary> doors) {
  w.key("doors");
  w.start_array();
  for (auto const& d : doors) {
    w.start_object();
    w.member("door", d.door.door);
    w.member("product_id", d.door.product_id);
    w.member("product_name", d.door.product_name);
    w.member("title", d.title);
    w.member("state", d.door.state);
    w.member("setting", d.door.setting);
    w.member("lets_users", d.lets_users);
    w.member("findings", d.findings);
    w.member("admin_center", d.admin_center);
    w.member("close_with", d.close_with);
    w.member("source", d.door.source);
    w.member("note", d.door.note);
    w.end_object();
  }
  w.end_array();
}

void write_doors_html(std::string& out, std::span<const storage::door_summary> doors) {
  if (doors.empty()) return;
  std::size_t open = 0;
  for (auto const& d : doors) open += d.door.state == "open" ? 1 : 0;
  fmt::format_to(std::back_inserter(out),
                 "<section class=\"card section\" id=\"doors\"><h2>Doors</h2>\n<p>The tenant settings that let users "
                 "acquire licenses on their own: {} of {} open. Removing today's licenses does not stop new ones "
                 "while a door stays open.</p>\n<div class=\"table-wrap\"><table id=\"doors-table\"><thead><tr>"
                 "<th>Door</th><th>State</th><th>Findings through it</th><th>What it lets users do</th>"
                 "<th>Close it</th></tr></thead><tbody>\n",
                 open, doors.size());
  for (auto const* d : in_report_order(doors)) {
    std::string state = std::string(state_label(d->door.state));
    if (!d->door.setting.empty()) state += " (" + d->door.setting + ")";
    fmt::format_to(std::back_inserter(out),
                   "<tr class=\"door-{}\"><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}<br><code>{}</code>"
                   "</td></tr>\n",
                   html(d->door.state), html(d->title), html(state),
                   d->door.note.empty() ? std::string() : "<br><small>" + html(d->door.note) + "</small>", d->findings,
                   html(d->lets_users), html(d->admin_center), html(d->close_with));
  }
  out += "</tbody></table></div></section>\n";
}

void write_doors_markdown(std::string& out, std::span<const storage::door_summary> doors) {
  if (doors.empty()) return;
  out +=
      "**Doors** (tenant settings that let users acquire licenses on their own)\n\n"
      "| Door | State | Findings | What it lets users do | Close it |\n|---|---|---:|---|---|\n";
  for (auto const* d : in_report_order(doors)) {
    std::string state = std::string(state_label(d->door.state));
    if (!d->door.setting.empty()) state += " (" + d->door.setting + ")";
    if (!d->door.note.empty()) state += ": " + d->door.note;
    fmt::format_to(std::back_inserter(out), "| {} | {} | {} | {} | {}: {} |\n", md(d->title), md(state), d->findings,
                   md(d->lets_users), md(d->admin_center), md(d->close_with));
  }
  out += "\n";
}

std::vector<door_change> compare_doors(std::span<const storage::door_record> from,
                                       std::span<const storage::door_record> to) {
  using key = std::pair<std::string, std::string>;
  std::map<key, std::pair<std::string, std::string>> states;
  for (auto const& d : from) states[{d.door, d.product_id}] = {d.state, "unknown"};
  for (auto const& d : to) {
    auto [it, added] = states.try_emplace(key{d.door, d.product_id}, "unknown", d.state);
    if (!added) it->second.second = d.state;
  }
  std::vector<door_change> out;
  for (auto const& [k, s] : states)
    if (s.first != s.second) out.push_back({k.first, k.second, s.first, s.second});
  return out;
}

}  // namespace reports
