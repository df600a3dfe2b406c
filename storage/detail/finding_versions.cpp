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

std::string finding_columns(std::string_view prefix) {
  std::string out;
  for (const auto& field : finding_fields)
    out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, field.column.name);
  return out;
}

namespace {

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

// The versions the snapshot holds (or would hold, running), sorted by key and content; and whether it has rows of its
// own written straight into finding_versions (found in the same pass: the range condition reads every version of the
// tenant either way).
struct held {
  std::vector<entry> versions;
  bool written = false;
  bool sole = false;  // the snapshot is unfinished and its tenant's first, none complete (finding_matcher::open)
};

// The condition "snapshot ?1 is unfinished, and tenant ?2 has no snapshot before it and none complete": then no
// version can start at ?1 but the rows ?1 writes itself (leave() moves a version's start only to a snapshot after
// the one it folds, and there is none before ?1), and no complete snapshot can hold a row starting at ?1. A later
// snapshot still running (begun against the run lock) leaves it so, and the completion ends those rows at it.
constexpr std::string_view sole_sql =
    "NOT EXISTS (SELECT 1 FROM scans AS o WHERE o.tenant_id = ?2 AND (o.scan_id < ?1 OR o.status = 'complete'))";

base::result<bool> sole_snapshot(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                 std::string_view what) {
  auto s = d.prepared(fmt::format("SELECT {}", sole_sql), what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return (*s)->integer(0) != 0;
}

base::result<held> held_versions(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                 std::string_view what) {
  auto sole = sole_snapshot(d, scan_id, tenant_id, what);
  if (!sole) return sole.error();
  auto s = d.prepared(
      "SELECT f.version_id, f.user_id, f.sku_id, f.content_hash, f.first_scan, f.until_scan FROM finding_versions AS f "
      "WHERE f.snapshot_tenant_id = ?2 AND f.first_scan <= ?1 AND (f.until_scan IS NULL OR f.until_scan >= ?1)",
      what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  held out;
  out.sole = *sole;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto const until = (*s)->optional_integer(5);
    if (until && *until == scan_id) {
      out.written = out.written || (*s)->integer(4) == scan_id;  // [S, S): written by S; [F, S): ended by S
      continue;
    }
    if (!until && out.sole && (*s)->integer(4) == scan_id) {  // [S, open) of a sole snapshot: written by S
      out.written = true;
      continue;
    }
    auto const key = key_of((*s)->text_view(1), (*s)->text_view(2));
    out.versions.push_back({key.a, key.b, 0, (*s)->integer(3), (*s)->integer(0)});
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  std::sort(out.versions.begin(), out.versions.end(), key_less);
  return out;
}

// The condition "finding version f is a row snapshot ?1 of tenant ?2 wrote straight into finding_versions": the empty
// range, or the open one while the snapshot is its tenant's sole one (finding_matcher::open).
const std::string written_sql = fmt::format(
    "snapshot_tenant_id = ?2 AND first_scan = ?1 AND (until_scan = ?1 OR (until_scan IS NULL AND {}))", sole_sql);

// Moves the snapshot's rows written straight into finding_versions to pending_findings, where the fold compares them
// with the versions it holds like any staged finding (inside the caller's transaction).
base::result<void> stage_written(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                 std::string_view what) {
  std::string const cols = finding_columns("");
  auto copy =
      d.prepared(fmt::format("INSERT INTO pending_findings (scan_id, {}) SELECT ?1, {} FROM finding_versions WHERE {}",
                             cols, cols, written_sql),
                 what);
  auto drop = d.prepared(fmt::format("DELETE FROM finding_versions WHERE {}", written_sql), what);
  for (auto* r : {&copy, &drop}) {
    if (!*r) return r->error();
    (**r)->bind_int(1, scan_id);
    (**r)->bind_text(2, tenant_id);
    if (const int rc = (**r)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return {};
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
  m.entries_ = std::move(held->versions);
  m.written_ = held->written;
  m.writes_ = m.entries_.empty() && !tenant_id.empty();
  m.open_ = m.writes_ && held->sole;
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
  if (loaded->written() && !loaded->writes()) {
    // Rows written straight into finding_versions while the tenant had no current versions (by a process that
    // died, say), and now there are some to compare with: staged, they are compared at the fold like the rest.
    if (auto r = stage_written(d, scan_id, tenant_id, what); !r) return r.error();
    return static_cast<finding_matcher*>(nullptr);
  }
  d.findings_matcher.emplace(std::move(*loaded));
  return &*d.findings_matcher;
}

base::result<statement*> version_insert(connection& d, std::string_view what) {
  static std::string const sql = schema::insert_sql(schema::table_named("finding_versions"), schema::on_conflict::fail);
  return d.prepared(sql, what);
}

base::result<void> write_version(connection& d, statement& ins, std::int64_t scan_id, std::string_view tenant_id,
                                 const finding_record& f, std::int64_t content, std::string_view what) {
  ins.bind_null(1);
  ins.bind_text(2, tenant_id);
  ins.bind_int(3, scan_id);
  // An empty range, which no snapshot holds until the fold makes it [scan_id, next); for a sole snapshot the open
  // range at once, which only the snapshot will hold once complete, so that its completion rewrites none of them.
  if (d.findings_matcher && d.findings_matcher->scan_id() == scan_id && d.findings_matcher->open()) ins.bind_null(4);
  else ins.bind_int(4, scan_id);
  ins.bind_int(5, content);
  bind_finding_fields(ins, 6, f);
  if (const int rc = ins.run(); rc != SQLITE_OK) return d.failure(rc, what);
  if (d.findings_matcher && d.findings_matcher->scan_id() == scan_id)
    d.findings_matcher->wrote(sqlite3_last_insert_rowid(d.db));
  return {};
}

base::result<void> delete_written(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  std::string_view what) {
  if (tenant_id.empty()) return {};
  auto drop = d.prepared(fmt::format("DELETE FROM finding_versions WHERE {}", written_sql), what);
  if (!drop) return drop.error();
  (*drop)->bind_int(1, scan_id);
  (*drop)->bind_text(2, tenant_id);
  if (const int rc = (*drop)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  return {};
}

std::string_view finding_written_sql() { return written_sql; }

namespace {

// The snapshot's written rows are read and rewritten in id order from the first this connection wrote, when it wrote
// them all and no other connection committed since (row ids then only grew after it): the first snapshot's rows are
// the end of the table, whereas the index on the tenant would visit them in principal name order, a page read per row.
// Otherwise from 0, every row. nullopt: the snapshot has none.
base::result<std::optional<std::int64_t>> written_floor(connection& d, std::int64_t scan_id, std::string_view what) {
  if (!d.findings_matcher || d.findings_matcher->scan_id() != scan_id) return std::optional<std::int64_t>{0};
  finding_matcher const& m = *d.findings_matcher;
  auto current = m.current(d, what);
  if (!current) return current.error();
  auto const from = m.written_from();
  if (!*current || !from) return std::optional<std::int64_t>{0};
  if (*from == 0) return std::optional<std::int64_t>{};
  return from;
}

}  // namespace

base::result<void> rename_written(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  const std::function<void(finding_record&)>& fix, std::string_view what) {
  if (tenant_id.empty()) return {};
  auto floor = written_floor(d, scan_id, what);
  if (!floor) return floor.error();
  if (!*floor) return {};
  std::string set;
  int parameter = 2;
  for (const auto& field : finding_fields)
    if (field.held == held_cell::remade) set += fmt::format(", {} = ?{}", field.column.name, ++parameter);
  auto sel =
      d.prepared(fmt::format("SELECT version_id, {} FROM finding_versions NOT INDEXED WHERE version_id >= ?3 AND {} "
                             "AND (owner_ids <> '' OR group_ids <> '')",
                             finding_columns(""), written_sql),
                 what);
  auto upd =
      d.prepared(fmt::format("UPDATE finding_versions SET content_hash = ?2{} WHERE version_id = ?1", set), what);
  for (auto* r : {&sel, &upd})
    if (!*r) return r->error();
  reset_on_exit guard(**sel);
  (*sel)->bind_int(1, scan_id);
  (*sel)->bind_text(2, tenant_id);
  (*sel)->bind_int(3, **floor);
  finding_record f;
  int rc = SQLITE_ROW;
  // Each UPDATE rewrites the row the SELECT stands on, in columns it neither filters nor walks by.
  while ((rc = (*sel)->step()) == SQLITE_ROW) {
    read_finding(**sel, f, 1);
    finding_record const before = f;
    fix(f);
    if (same_names(f, before)) continue;
    statement& u = **upd;
    int i = 1;
    u.bind_int(i++, (*sel)->integer(0));
    u.bind_int(i++, finding_content(f));
    for (const auto& field : finding_fields) {
      if (field.held != held_cell::remade) continue;
      if (field.text != nullptr) u.bind_text(i++, f.*field.text);
      else u.bind_bool(i++, f.*field.flag);
    }
    if (const int code = u.run(); code != SQLITE_OK) return d.failure(code, what);
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  return {};
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

namespace {

template <class Sink>
void add_finding(Sink& h, const finding_record& f) {
  for (const auto& field : finding_fields) {
    if (field.text != nullptr) h.add(f.*field.text);
    else h.add(f.*field.flag);
  }
}

}  // namespace

std::int64_t finding_content(const finding_record& f) {
  content_hasher h;
  add_finding(h, f);
  return h.value();
}

std::vector<std::int64_t> finding_contents(std::span<const finding_record> findings) {
  content_batch batch;
  for (const auto& f : findings) {
    auto bytes = batch.row();
    add_finding(bytes, f);
    batch.end_row();
  }
  return batch.fingerprints();
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
    } else if (m->writes()) {
      // No version to compare with when the matcher was made, and no other writer since: every finding was written
      // straight into finding_versions with an empty range, which now becomes the snapshot's; or, by a sole
      // snapshot, with the open range already, ended below only at a later snapshot begun against the run lock.
      if (m->open() && !next) return {};
      auto floor = written_floor(d, scan_id, what);
      if (!floor) return floor.error();
      if (!*floor) return {};
      auto own = d.prepared(
          fmt::format("UPDATE finding_versions NOT INDEXED SET until_scan = ?3 WHERE version_id >= ?4 AND {}",
                      written_sql),
          what);
      if (!own) return own.error();
      (*own)->bind_int(1, scan_id);
      (*own)->bind_text(2, tenant_id);
      (*own)->bind_optional_int(3, next);
      (*own)->bind_int(4, **floor);
      if (const int rc = (*own)->run(); rc != SQLITE_OK) return d.failure(rc, what);
      return {};
    }
  }
  base::result<held> loaded = held{};
  if (m == nullptr) {
    loaded = held_versions(d, scan_id, tenant_id, what);
    if (loaded && loaded->written)
      if (auto r = stage_written(d, scan_id, tenant_id, what); !r) return r;
  }
  if (!loaded) return loaded.error();
  std::vector<entry>& before = m != nullptr ? m->entries() : loaded->versions;

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
