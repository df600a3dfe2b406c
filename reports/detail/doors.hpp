// reports/detail/doors.hpp — the "Doors" section of the JSON, HTML and Markdown reports, and the doors that opened or
// closed between two snapshots (docs/reports.md, "Doors").
#pragma once

#include "reports/detail/json_writer.hpp"
#include "storage/records.hpp"

#include <span>
#include <string>
#include <vector>

namespace reports {

// The "doors" member: an array of {door, product_id, product_name, title, state, setting, lets_users, findings,
// admin_center, close_with, source, note}.
void write_doors_json(json_writer& w, std::span<const storage::door_summary> doors);

// The HTML section: a table of every door, open ones first, each with its fix; nothing when doors is empty.
void write_doors_html(std::string& out, std::span<const storage::door_summary> doors);

// The Markdown section: the same table, every cell escaped; nothing when doors is empty.
void write_doors_markdown(std::string& out, std::span<const storage::door_summary> doors);

// A door whose state differs between two snapshots (unknown counts as a state: a door that became unreadable is
// reported, never as closed).
struct door_change {
  std::string door, product_id, from_state, to_state;
};

// The doors that opened, closed or changed state between from and to, in door then product order; a door present
// in one snapshot only is compared with `unknown`.
std::vector<door_change> compare_doors(std::span<const storage::door_record> from,
                                       std::span<const storage::door_record> to);

}  // namespace reports
