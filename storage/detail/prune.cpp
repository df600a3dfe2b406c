// Retention: which snapshots of a tenant go, with every row they own.
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/fact_versions.hpp"
#include "storage/detail/schema.hpp"
#include "storage/detail/user_versions.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <vector>

namespace storage {
namespace {

// A version no kept snapshot of its tenant lies in (and no longer current) is held by none. An empty range
// (first_scan = until_scan) is a finding a running snapshot wrote before it completes (finding_written_sql): it stays
// while that snapshot does, though it may be another process's, and goes with it. A tenant's only snapshot writes
// the open range instead (finding_matcher::open): current, such rows stay until a later snapshot ends them.
constexpr std::string_view unheld =
    "{} = ?1 AND until_scan IS NOT NULL AND NOT EXISTS (SELECT 1 FROM scans AS k WHERE k.tenant_id = ?1 AND "
    "k.scan_id >= first_scan AND (k.scan_id < until_scan OR k.scan_id = first_scan))";

base::result<void> drop_unheld_versions(detail::connection& d, std::string_view tenant_id, std::string_view what) {
  auto users = d.prepared(
      fmt::format("SELECT version_id FROM user_versions WHERE {}", fmt::format(fmt::runtime(unheld), "tenant_id")),
      what);
  auto findings = d.prepared(
      fmt::format("DELETE FROM finding_versions WHERE {}", fmt::format(fmt::runtime(unheld), "snapshot_tenant_id")),
      what);
  for (auto* r : {&users, &findings})
    if (!*r) return r->error();
  std::vector<std::int64_t> versions;
  {
    detail::reset_on_exit guard(**users);
    (*users)->bind_text(1, tenant_id);
    int rc = SQLITE_ROW;
    while ((rc = (*users)->step()) == SQLITE_ROW) versions.push_back((*users)->integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  for (auto v : versions)
    if (auto r = detail::delete_user_version(d, v, what); !r) return r;
  (*findings)->bind_text(1, tenant_id);
  if (const int rc = (*findings)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  return {};
}

}  // namespace

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
      if (!t.per_snapshot()) continue;
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
  // Versions no snapshot left holds go (docs/schema.md "Versions"): current ones stay for the next scan to meet.
  if (!ids.empty()) {
    if (auto r = drop_unheld_versions(d, tenant_id, what); !r) return r.error();
    if (auto r = detail::drop_unheld_facts(d, what); !r) return r.error();
  }
  if (auto r = tx->commit(what); !r) return r.error();
  // What went is mostly versions the next scan will not store again: give the pages back to the file system
  // (auto_vacuum = INCREMENTAL; docs/schema.md).
  if (!ids.empty())
    if (auto r = d.exec("PRAGMA incremental_vacuum", what); !r) return r.error();
  return static_cast<int>(ids.size());
}

}  // namespace storage
