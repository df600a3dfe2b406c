#include "storage/detail/finding_versions.hpp"

#include "storage/detail/content_hash.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"
#include "storage/finding_row.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

namespace storage::detail {
namespace {

// The finding columns' names, each prefixed (for INSERT … SELECT between the two tables).
std::string finding_columns(std::string_view prefix) {
  std::string out;
  for (const auto& field : finding_fields)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, field.column.name);
  return out;
}

// A version the snapshot held before the fold: matched by a pending finding of the same content, or not (it then
// loses the snapshot). 32 bytes a finding.
struct held {
  std::uint64_t key_a = 0;
  std::uint32_t key_b = 0;
  std::uint32_t matched = 0;
  std::int64_t content = 0;
  std::int64_t version = 0;
};

bool key_less(const held& x, const held& y) {
  return std::tie(x.key_a, x.key_b, x.content) < std::tie(y.key_a, y.key_b, y.content);
}

base::result<std::optional<std::int64_t>> next_snapshot(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                                        std::string_view what) {
  auto s = d.prepared("SELECT min(scan_id) FROM scans WHERE tenant_id = ?2 AND scan_id > ?1", what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return (*s)->optional_integer(0);
}

base::result<std::vector<held>> held_versions(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                              std::string_view what) {
  auto s = d.prepared(fmt::format("SELECT f.version_id, f.user_id, f.sku_id, f.content_hash FROM finding_versions AS f "
                                  "WHERE {}",
                                  finding_held_sql()),
                      what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  std::vector<held> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto const key = key_of((*s)->text_view(1), (*s)->text_view(2));
    out.push_back({key.a, key.b, 0, (*s)->integer(3), (*s)->integer(0)});
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  std::sort(out.begin(), out.end(), key_less);
  return out;
}

// The snapshot leaves a version's range [first, until): the part before it stays; the part from the next snapshot on
// becomes a copy (or the version itself, when it started at the snapshot); an empty version goes.
base::result<void> leave(connection& d, std::int64_t version, std::int64_t scan_id, std::optional<std::int64_t> next,
                         std::string_view what) {
  auto range = d.prepared("SELECT first_scan, until_scan FROM finding_versions WHERE version_id = ?1", what);
  if (!range) return range.error();
  std::int64_t first = 0;
  std::optional<std::int64_t> until;
  {
    reset_on_exit guard(**range);
    (*range)->bind_int(1, version);
    if (const int rc = (*range)->step(); rc != SQLITE_ROW)
      return d.failure(rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, what);
    first = (*range)->integer(0);
    until = (*range)->optional_integer(1);
  }
  bool const goes_on = next && (!until || *until > *next);
  if (first == scan_id) {
    if (goes_on)
      return d.run_ints("UPDATE finding_versions SET first_scan = ?2 WHERE version_id = ?1", what, {version, next});
    return d.run_ints("DELETE FROM finding_versions WHERE version_id = ?1", what, {version});
  }
  if (goes_on) {
    std::string const cols = finding_columns("");
    if (auto r = d.run_ints(fmt::format("INSERT INTO finding_versions (snapshot_tenant_id, first_scan, until_scan, "
                                        "content_hash, {}) SELECT snapshot_tenant_id, ?2, ?3, content_hash, {} FROM "
                                        "finding_versions WHERE version_id = ?1",
                                        cols, cols),
                            what, {version, next, until});
        !r)
      return r;
  }
  return d.run_ints("UPDATE finding_versions SET until_scan = ?2 WHERE version_id = ?1", what, {version, scan_id});
}

}  // namespace

std::string_view finding_held_sql() {
  return "f.snapshot_tenant_id = ?2 AND f.first_scan <= ?1 AND (f.until_scan IS NULL OR f.until_scan > ?1)";
}

std::int64_t finding_content(const finding_record& f) {
  content_hasher h;
  for (const auto& field : finding_fields) {
    if (field.text != nullptr) h.add(f.*field.text);
    else h.add(f.*field.flag);
  }
  return h.value();
}

base::result<void> fold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id, later_snapshots later,
                                 std::string_view what) {
  std::optional<std::int64_t> next;
  if (later == later_snapshots::as_stored) {
    auto n = next_snapshot(d, scan_id, tenant_id, what);
    if (!n) return n.error();
    next = *n;
  }
  auto before = held_versions(d, scan_id, tenant_id, what);
  if (!before) return before.error();

  auto pending = d.prepared(schema::select_sql(schema::table_named("pending_findings")) + " WHERE scan_id = ?1", what);
  auto insert =
      d.prepared(schema::insert_sql(schema::table_named("finding_versions"), schema::on_conflict::fail), what);
  for (auto* r : {&pending, &insert})
    if (!*r) return r->error();
  {
    reset_on_exit guard(**pending);
    (*pending)->bind_int(1, scan_id);
    finding_record f;
    int rc = SQLITE_ROW;
    while ((rc = (*pending)->step()) == SQLITE_ROW) {
      read_finding(**pending, f, 1);
      auto const key = key_of(f.user_id, f.sku_id);
      held const probe{key.a, key.b, 0, finding_content(f), 0};
      auto [lo, hi] = std::equal_range(before->begin(), before->end(), probe, key_less);
      auto same = std::find_if(lo, hi, [](const held& h) { return h.matched == 0; });
      if (same != hi) {
        same->matched = 1;  // held before, held still: nothing to write
        continue;
      }
      statement& ins = **insert;
      ins.bind_null(1);
      ins.bind_text(2, tenant_id);
      ins.bind_int(3, scan_id);
      ins.bind_optional_int(4, next);
      ins.bind_int(5, probe.content);
      bind_finding_fields(ins, 6, f);
      if (const int code = ins.run(); code != SQLITE_OK) return d.failure(code, what);
    }
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  for (const auto& h : *before)
    if (h.matched == 0)
      if (auto r = leave(d, h.version, scan_id, next, what); !r) return r;
  return d.run_ints("DELETE FROM pending_findings WHERE scan_id = ?1", what, {scan_id});
}

base::result<void> unfold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                   std::string_view what) {
  auto s = d.prepared(fmt::format("INSERT INTO pending_findings (scan_id, {}) SELECT ?1, {} FROM finding_versions AS f "
                                  "WHERE {}",
                                  finding_columns(""), finding_columns("f."), finding_held_sql()),
                      what);
  if (!s) return s.error();
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  return {};
}

}  // namespace storage::detail
