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

using entry = finding_matcher::entry;

bool key_less(const entry& x, const entry& y) {
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

// The versions the snapshot holds (or would hold, running), sorted by key and content.
base::result<std::vector<entry>> held_versions(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                               std::string_view what) {
  auto s = d.prepared(fmt::format("SELECT f.version_id, f.user_id, f.sku_id, f.content_hash FROM finding_versions AS f "
                                  "WHERE {}",
                                  finding_held_sql()),
                      what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  std::vector<entry> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto const key = key_of((*s)->text_view(1), (*s)->text_view(2));
    out.push_back({key.a, key.b, 0, (*s)->integer(3), (*s)->integer(0)});
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  std::sort(out.begin(), out.end(), key_less);
  return out;
}

base::result<std::int64_t> data_version(connection& d, std::string_view what) {
  auto s = d.prepared("PRAGMA data_version", what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return (*s)->integer(0);
}

// Another connection committed since the matcher was loaded (a re-audit of an older snapshot may have split the
// versions it marked): every marked finding is staged again from its version's row, and unmarked, so that the fold
// compares everything afresh. The row is found by id and content; one that is gone fails the completion.
base::result<void> restage_marked(connection& d, finding_matcher& m, std::string_view what) {
  std::string const cols = finding_columns("");
  auto copy = d.prepared(fmt::format("INSERT INTO pending_findings (scan_id, {}) SELECT ?1, {} FROM finding_versions "
                                     "WHERE version_id = ?2 AND content_hash = ?3",
                                     cols, cols),
                         what);
  if (!copy) return copy.error();
  auto& entries = m.entries();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].matched == 0) continue;
    (*copy)->bind_int(1, m.scan_id());
    (*copy)->bind_int(2, entries[i].version);
    (*copy)->bind_int(3, entries[i].content);
    if (const int rc = (*copy)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    if (sqlite3_changes(d.db) != 1)
      return base::runtime_error(fmt::format(
          "cannot {}: another process changed this tenant's findings while the scan ran — run the scan again", what));
    m.flip(i);
  }
  return {};
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

base::result<finding_matcher> finding_matcher::load(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                                    std::string_view what) {
  finding_matcher m;
  m.scan_id_ = scan_id;
  auto version = data_version(d, what);
  if (!version) return version.error();
  m.data_version_ = *version;
  auto held = held_versions(d, scan_id, tenant_id, what);
  if (!held) return held.error();
  m.entries_ = std::move(*held);
  return m;
}

base::result<bool> finding_matcher::current(connection& d, std::string_view what) const {
  auto version = data_version(d, what);
  if (!version) return version.error();
  return *version == data_version_;
}

bool finding_matcher::match(const finding_record& f, std::int64_t content) {
  auto const key = key_of(f.user_id, f.sku_id);
  entry const probe{key.a, key.b, 0, content, 0};
  auto [lo, hi] = std::equal_range(entries_.begin(), entries_.end(), probe, key_less);
  auto same = std::find_if(lo, hi, [](const entry& e) { return e.matched == 0; });
  if (same == hi) return false;
  flip(static_cast<std::size_t>(same - entries_.begin()));
  return true;
}

void finding_matcher::flip(std::size_t i) {
  entries_[i].matched ^= 1;
  tentative_.push_back(i);
}

void finding_matcher::rollback() {
  for (auto i = tentative_.rbegin(); i != tentative_.rend(); ++i) entries_[*i].matched ^= 1;
  tentative_.clear();
}

base::result<finding_matcher*> matcher_for(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                           std::string_view what) {
  if (d.findings_matcher && d.findings_matcher->scan_id() == scan_id) return &*d.findings_matcher;
  d.findings_matcher.reset();
  auto staged = d.prepared("SELECT EXISTS (SELECT 1 FROM pending_findings WHERE scan_id = ?1)", what);
  if (!staged) return staged.error();
  {
    reset_on_exit guard(**staged);
    (*staged)->bind_int(1, scan_id);
    if (const int rc = (*staged)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
    if ((*staged)->integer(0) != 0)
      return static_cast<finding_matcher*>(nullptr);  // staged without marks: the fold compares them all
  }
  auto loaded = finding_matcher::load(d, scan_id, tenant_id, what);
  if (!loaded) return loaded.error();
  d.findings_matcher.emplace(std::move(*loaded));
  return &*d.findings_matcher;
}

bool same_names(const finding_record& a, const finding_record& b) {
  return std::all_of(std::begin(finding_fields), std::end(finding_fields), [&](const finding_field& field) {
    if (field.held != held_cell::remade) return true;
    return field.text != nullptr ? a.*field.text == b.*field.text : a.*field.flag == b.*field.flag;
  });
}

base::result<void> release_changed_marks(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                         const std::function<void(finding_record&)>& fix, std::string_view what) {
  if (!d.findings_matcher || d.findings_matcher->scan_id() != scan_id) return {};
  finding_matcher& m = *d.findings_matcher;
  auto current = m.current(d, what);
  if (!current) return current.error();
  if (!*current) return restage_marked(d, m, what);  // all staged: fix renames them with the rest
  // The marked versions by id (8 bytes each, for this pass only).
  std::vector<std::pair<std::int64_t, std::size_t>> marked;
  auto& entries = m.entries();
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].matched != 0) marked.emplace_back(entries[i].version, i);
  if (marked.empty()) return {};
  std::sort(marked.begin(), marked.end());
  auto sel = d.prepared(fmt::format("SELECT f.version_id, {} FROM finding_versions AS f WHERE {} AND (f.owner_ids <> "
                                    "'' OR f.group_ids <> '')",
                                    finding_columns("f."), finding_held_sql()),
                        what);
  auto ins = d.prepared(schema::insert_sql(schema::table_named("pending_findings"), schema::on_conflict::fail), what);
  for (auto* r : {&sel, &ins})
    if (!*r) return r->error();
  reset_on_exit guard(**sel);
  (*sel)->bind_int(1, scan_id);
  (*sel)->bind_text(2, tenant_id);
  finding_record f;
  int rc = SQLITE_ROW;
  while ((rc = (*sel)->step()) == SQLITE_ROW) {
    auto const it = std::lower_bound(marked.begin(), marked.end(), std::pair{(*sel)->integer(0), std::size_t{0}});
    if (it == marked.end() || it->first != (*sel)->integer(0)) continue;
    read_finding(**sel, f, 1);
    finding_record const before = f;
    fix(f);
    if (same_names(f, before)) continue;
    bind_finding(**ins, scan_id, f);
    if (const int code = (*ins)->run(); code != SQLITE_OK) return d.failure(code, what);
    m.flip(it->second);
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  return {};
}

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
  // The versions held before, with the marks of a matcher that met the snapshot's findings as they were staged (its
  // entries are used in place: a failed completion takes its marks back).
  finding_matcher* m = nullptr;
  if (d.findings_matcher && d.findings_matcher->scan_id() == scan_id) {
    m = &*d.findings_matcher;
    auto current = m->current(d, what);
    if (!current) return current.error();
    if (!*current) {  // all staged now: compared below with the versions as they are now
      if (auto r = restage_marked(d, *m, what); !r) return r;
      m = nullptr;
    }
  }
  base::result<std::vector<entry>> loaded = std::vector<entry>{};
  if (m == nullptr) loaded = held_versions(d, scan_id, tenant_id, what);
  if (!loaded) return loaded.error();
  std::vector<entry>& before = m != nullptr ? m->entries() : *loaded;

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
      entry const probe{key.a, key.b, 0, finding_content(f), 0};
      auto [lo, hi] = std::equal_range(before.begin(), before.end(), probe, key_less);
      auto same = std::find_if(lo, hi, [](const entry& h) { return h.matched == 0; });
      if (same != hi) {  // held before, held still: nothing to write
        if (m != nullptr) m->flip(static_cast<std::size_t>(same - before.begin()));
        else same->matched = 1;
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
  for (const auto& h : before)
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
