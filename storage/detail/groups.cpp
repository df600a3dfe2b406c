// The licensing groups of a snapshot: the ids its license states name, and the display names the scan read.
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/replace_rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace storage {

base::result<std::vector<std::string>> database::group_ids(std::int64_t scan_id) {
  std::string const what = fmt::format("read the groups of scan {} in '{}'", scan_id, impl_->path);
  // The snapshot's own states, however it is (running, interrupted or complete): through the license_states view.
  auto s = impl_->prepared(
      "SELECT DISTINCT lower(assigned_by_group) FROM license_states WHERE scan_id = ?1 AND assigned_by_group IS NOT "
      "NULL AND assigned_by_group <> '' ORDER BY 1",
      what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  std::vector<std::string> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back((*s)->text(0));
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return out;
}

base::result<void> database::write_groups(std::int64_t scan_id, std::span<const group_record> groups) {
  std::string const what = fmt::format("store the groups of scan {} in '{}'", scan_id, impl_->path);
  return detail::replace_running_rows(*impl_, scan_id, "groups", groups, what,
                                      [](detail::statement& s, const group_record& g) {
                                        s.bind_text(2, g.id);
                                        s.bind_text(3, g.display_name);
                                      });
}

base::result<std::vector<group_record>> database::groups(std::int64_t scan_id) {
  std::string const what = fmt::format("read the group names of scan {} in '{}'", scan_id, impl_->path);
  auto s = impl_->prepared(schema::select_sql(schema::table_named("groups")) + " WHERE scan_id = ?1 ORDER BY id", what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  std::vector<group_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back({(*s)->text(1), (*s)->text(2)});
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return out;
}

}  // namespace storage
