#include "reports/detail/diff.hpp"

#include "reports/detail/csv_writer.hpp"
#include "reports/detail/json_writer.hpp"
#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <tuple>
#include <unordered_map>

namespace reports {

namespace {

struct older {
  std::string user_principal_name;
  std::string sku_part_number;
  std::string origin;
};

std::string key_of(const storage::finding_record& f) {
  // GUIDs are stored lower-case, but keys are compared case-insensitively all the same (docs/design.md §3.1).
  std::string k;
  k.reserve(f.tenant_id.size() + f.user_id.size() + f.sku_id.size() + 2);
  for (const auto* part : {&f.tenant_id, &f.user_id, &f.sku_id}) {
    for (char c : *part) k += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    k += '\0';
  }
  return k;
}

struct counts {
  std::int64_t added = 0, resolved = 0, changed = 0;
};

counts count(const std::vector<diff_entry>& changes) {
  counts c;
  for (const auto& e : changes) {
    if (e.change == "new") ++c.added;
    else if (e.change == "resolved") ++c.resolved;
    else ++c.changed;
  }
  return c;
}

std::string safe(std::string_view text) {
  std::string out;
  append_controls_replaced(out, text);
  return out;
}

std::string door_name(const door_change& d) { return d.product_id.empty() ? d.door : d.door + " " + d.product_id; }

void render_text(const storage::scan_info& from, const storage::scan_info& to, const std::vector<diff_entry>& changes,
                 const std::vector<door_change>& doors, output_file& out) {
  auto& o = out.buffer();
  fmt::format_to(std::back_inserter(o), "tenant {}{}: snapshot {} ({}) -> snapshot {} ({})\n", safe(to.tenant_id),
                 to.tenant_name.empty() ? "" : " (" + safe(to.tenant_name) + ")", from.scan_id, safe(from.started_at),
                 to.scan_id, safe(to.started_at));
  for (const auto& d : doors)
    fmt::format_to(std::back_inserter(o), "door {}: {} \u2192 {}{}\n", safe(door_name(d)), safe(d.from_state),
                   safe(d.to_state),
                   d.to_state == "open"     ? " (opened)"
                   : d.to_state == "closed" ? " (closed)"
                                            : "");
  for (const auto& e : changes) {
    const auto sku = safe(e.sku_part_number.empty() ? e.sku_id : e.sku_part_number);
    if (e.change == "new")
      fmt::format_to(std::back_inserter(o), "+ {}  {}  {}\n", safe(e.user_principal_name), sku, safe(e.to_origin));
    else if (e.change == "resolved")
      fmt::format_to(std::back_inserter(o), "- {}  {}  {}\n", safe(e.user_principal_name), sku, safe(e.from_origin));
    else
      fmt::format_to(std::back_inserter(o), "~ {}  {}  {} \u2192 {}\n", safe(e.user_principal_name), sku,
                     safe(e.from_origin), safe(e.to_origin));
    out.maybe_flush();
  }
  const auto c = count(changes);
  if (changes.empty()) o += "no changes\n";
  else fmt::format_to(std::back_inserter(o), "{} new, {} resolved, {} changed\n", c.added, c.resolved, c.changed);
}

void render_csv(const std::vector<diff_entry>& changes, output_file& out) {
  out.write("change,tenant_id,user_id,user_principal_name,sku_id,sku_part_number,from_origin,to_origin\r\n");
  for (const auto& e : changes) {
    append_csv_row(out.buffer(), e.change, e.tenant_id, e.user_id, e.user_principal_name, e.sku_id, e.sku_part_number,
                   e.from_origin, e.to_origin);
    out.maybe_flush();
  }
}

void write_scan(json_writer& w, std::string_view name, const storage::scan_info& scan) {
  w.key(name);
  w.start_object();
  w.member("scan_id", scan.scan_id);
  w.member("started_at", scan.started_at);
  w.member("finished_at", scan.finished_at);
  w.end_object();
}

void render_json(const storage::scan_info& from, const storage::scan_info& to, const std::vector<diff_entry>& changes,
                 const std::vector<door_change>& doors, output_file& out) {
  json_writer w(out);
  w.start_object();
  w.member("format_version", std::int64_t{1});
  w.member("tenant_id", to.tenant_id);
  w.member("tenant_name", to.tenant_name);
  write_scan(w, "from", from);
  write_scan(w, "to", to);
  const auto c = count(changes);
  w.key("summary");
  w.start_object();
  w.member("new", c.added);
  w.member("resolved", c.resolved);
  w.member("changed", c.changed);
  w.end_object();
  w.key("changes");
  w.start_array();
  for (const auto& e : changes) {
    w.start_object();
    w.member("change", e.change);
    w.member("tenant_id", e.tenant_id);
    w.member("user_id", e.user_id);
    w.member("user_principal_name", e.user_principal_name);
    w.member("sku_id", e.sku_id);
    w.member("sku_part_number", e.sku_part_number);
    w.key("from_origin");
    if (e.from_origin.empty()) w.null();
    else w.string(e.from_origin);
    w.key("to_origin");
    if (e.to_origin.empty()) w.null();
    else w.string(e.to_origin);
    w.end_object();
  }
  w.end_array();
  w.key("doors");
  w.start_array();
  for (const auto& d : doors) {
    w.start_object();
    w.member("door", d.door);
    w.member("product_id", d.product_id);
    w.member("from_state", d.from_state);
    w.member("to_state", d.to_state);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out.put('\n');
}

}  // namespace

base::result<std::vector<diff_entry>> compute_diff(const finding_source& from, const finding_source& to) {
  std::unordered_map<std::string, older> before;
  const auto read_from = from([&](const storage::finding_record& f) {
    before[key_of(f)] = {f.user_principal_name, f.sku_part_number, f.origin};
  });
  if (!read_from) return read_from.error();

  std::vector<diff_entry> changes;
  const auto read_to = to([&](const storage::finding_record& f) {
    auto const it = before.find(key_of(f));
    if (it == before.end()) {
      changes.push_back(
          {"new", f.tenant_id, f.user_id, f.user_principal_name, f.sku_id, f.sku_part_number, {}, f.origin});
      return;
    }
    if (it->second.origin != f.origin)
      changes.push_back({"changed", f.tenant_id, f.user_id, f.user_principal_name, f.sku_id, f.sku_part_number,
                         it->second.origin, f.origin});
    before.erase(it);
  });
  if (!read_to) return read_to.error();

  for (auto& [key, old] : before) {
    // The key holds tenant, user and SKU separated by NUL: take them back rather than storing them twice.
    std::array<std::string, 3> parts;
    std::size_t start = 0;
    for (auto& part : parts) {
      const auto end = key.find('\0', start);
      part = key.substr(start, end - start);
      start = end + 1;
    }
    changes.push_back({"resolved",
                       parts[0],
                       parts[1],
                       std::move(old.user_principal_name),
                       parts[2],
                       std::move(old.sku_part_number),
                       std::move(old.origin),
                       {}});
  }
  std::sort(changes.begin(), changes.end(), [](const diff_entry& a, const diff_entry& b) {
    return std::tie(a.user_principal_name, a.sku_part_number, a.sku_id, a.change) <
           std::tie(b.user_principal_name, b.sku_part_number, b.sku_id, b.change);
  });
  return changes;
}

void render_diff(const storage::scan_info& from, const storage::scan_info& to, const std::vector<diff_entry>& changes,
                 const std::vector<door_change>& doors, diff_format fmt, output_file& out) {
  switch (fmt) {
    case diff_format::text:
      render_text(from, to, changes, doors, out);
      return;
    case diff_format::csv:
      render_csv(changes, out);
      return;
    case diff_format::json:
      render_json(from, to, changes, doors, out);
      return;
  }
}

}  // namespace reports
