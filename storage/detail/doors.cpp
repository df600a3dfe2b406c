// The doors of a snapshot: written whole, read whole (a handful of rows).
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/replace_rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace storage {

base::result<void> database::write_doors(std::int64_t scan_id, std::span<const door_record> doors) {
  std::string const what = fmt::format("store the doors of scan {} in '{}'", scan_id, impl_->path);
  return detail::replace_running_rows(*impl_, scan_id, "doors", doors, what,
                                      [](detail::statement& s, const door_record& door) {
                                        s.bind_text(2, door.door);
                                        s.bind_text(3, door.product_id);
                                        s.bind_text(4, door.product_name);
                                        s.bind_text(5, door.state);
                                        s.bind_text(6, door.setting);
                                        s.bind_text(7, door.source);
                                        s.bind_text(8, door.note);
                                      });
}

base::result<std::vector<door_record>> database::doors(std::int64_t scan_id) {
  std::string const what = fmt::format("read the doors of scan {} in '{}'", scan_id, impl_->path);
  auto s = impl_->prepared(
      schema::select_sql(schema::table_named("doors")) + " WHERE scan_id = ?1 ORDER BY door, product_id", what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  std::vector<door_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto const& r = **s;
    out.push_back({r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6), r.text(7)});
  }
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return out;
}

base::result<bool> database::any_door_open(std::int64_t scan_id) {
  auto all = doors(scan_id);
  if (!all) return all.error();
  for (const auto& d : *all)
    if (d.state == "open") return true;
  return false;
}

}  // namespace storage
