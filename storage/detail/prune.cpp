// Retention: which snapshots of a tenant go, with every row they own.
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <vector>

namespace storage {

base::result<int> database::prune(std::string_view tenant_id, int keep) {
  if (keep < 1) return base::usage_error(fmt::format("cannot prune snapshots: keep must be at least 1, got {}", keep));
  std::string const what = fmt::format("prune the snapshots of tenant '{}' in '{}'", tenant_id, impl_->path);
  auto& d = *impl_;
  // Complete snapshots beyond the newest keep, and unfinished ones (failed, interrupted, or 'running' left by
  // a killed process) older than the newest complete one: resumable_scan would never pick those again.
  auto doomed = d.prepared(
      "SELECT scan_id FROM scans WHERE tenant_id = ?1 AND ("
      " (status = 'complete' AND scan_id NOT IN (SELECT scan_id FROM scans WHERE tenant_id = ?1 AND "
      "   status = 'complete' ORDER BY scan_id DESC LIMIT ?2))"
      " OR (status <> 'complete' AND scan_id < (SELECT coalesce(max(scan_id), 0) FROM scans WHERE "
      "   tenant_id = ?1 AND status = 'complete')))",
      what);
  if (!doomed) return doomed.error();

  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();
  std::vector<std::int64_t> ids;
  {
    detail::reset_on_exit guard(**doomed);
    (*doomed)->bind_text(1, tenant_id);
    (*doomed)->bind_int(2, keep);
    int rc = SQLITE_ROW;
    while ((rc = (*doomed)->step()) == SQLITE_ROW) ids.push_back((*doomed)->integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  // Children first and explicitly (not only by ON DELETE CASCADE), so pruning never depends on the
  // connection's foreign_keys setting; every child table leads its key with scan_id, so each delete is a
  // range of its B-tree.
  for (auto id : ids) {
    for (const auto& t : schema::tables()) {
      if (t.name == "scans" || t.owner != schema::rows_of::snapshot) continue;
      auto del = d.prepared(fmt::format("DELETE FROM {} WHERE scan_id = ?1", t.name), what);
      if (!del) return del.error();
      (*del)->bind_int(1, id);
      if (const int rc = (*del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
    auto del = d.prepared("DELETE FROM scans WHERE scan_id = ?1", what);
    if (!del) return del.error();
    (*del)->bind_int(1, id);
    if (const int rc = (*del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  if (auto r = tx->commit(what); !r) return r.error();
  // Freed pages are reused by the next snapshot (no auto_vacuum: a scan of the same tenant needs as many
  // pages again, so shrinking the file would only make it grow back).
  return static_cast<int>(ids.size());
}

}  // namespace storage
