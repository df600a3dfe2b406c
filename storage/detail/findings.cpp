// Findings of a snapshot: replaced whole by audit, streamed in report order to reports.
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/finding_versions.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"
#include "storage/finding_row.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace storage {

namespace {

// Where a snapshot's findings are: pending_findings while it is written (or failed), or finding_versions with an empty
// range when the tenant had no versions to compare them with (finding_matcher::writes()); finding_versions once
// complete.
struct findings_home {
  std::string tenant_id;
  bool complete = false;
};

// An error unless the snapshot exists (inside a write transaction, findings then need no per-row parent check).
base::result<findings_home> require_scan(detail::connection& d, std::int64_t scan_id, std::string_view what) {
  auto exists = d.prepared("SELECT tenant_id, status = 'complete' FROM scans WHERE scan_id = ?1", what);
  if (!exists) return exists.error();
  detail::reset_on_exit guard(**exists);
  (*exists)->bind_int(1, scan_id);
  const int rc = (*exists)->step();
  if (rc == SQLITE_DONE)
    return base::runtime_error(
        fmt::format("cannot {}: there is no scan {} — list them with `entra-audit report`", what, scan_id));
  if (rc != SQLITE_ROW) return d.failure(rc, what);
  return findings_home{(*exists)->text(0), (*exists)->integer(1) != 0};
}

// A complete snapshot's findings are changed in pending_findings and folded back (inside the caller's transaction).
base::result<void> unfold_if_complete(detail::connection& d, std::int64_t scan_id, const findings_home& home,
                                      std::string_view what) {
  if (!home.complete) return {};
  return detail::unfold_findings(d, scan_id, home.tenant_id, what);
}
base::result<void> fold_if_complete(detail::connection& d, std::int64_t scan_id, const findings_home& home,
                                    std::string_view what) {
  if (!home.complete) return {};
  return detail::fold_findings(d, scan_id, home.tenant_id, detail::later_snapshots::as_stored, what);
}

// Takes the connection's matcher of a snapshot whose findings are being replaced, and puts it back unless the
// replacement commits. Declared after forget_unless_committed, so that it is put back before that one's rollback.
class marks_replaced {
 public:
  marks_replaced(detail::connection& d, std::int64_t scan_id) : d_(d) {
    if (d.findings_matcher && d.findings_matcher->scan_id() == scan_id) old_ = std::exchange(d.findings_matcher, {});
  }
  marks_replaced(const marks_replaced&) = delete;
  marks_replaced& operator=(const marks_replaced&) = delete;
  ~marks_replaced() {
    if (!committed_ && old_) d_.findings_matcher = std::move(old_);
  }
  void committed() { committed_ = true; }

 private:
  detail::connection& d_;
  std::optional<detail::finding_matcher> old_;
  bool committed_ = false;
};

}  // namespace

namespace detail {
namespace {

base::result<void> insert_unless_matched(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                         std::span<const finding_record> findings, finding_matcher* matcher,
                                         std::string_view what) {
  auto ins = d.prepared(schema::insert_sql(schema::table_named("pending_findings"), schema::on_conflict::fail), what);
  if (!ins) return ins.error();
  statement* written = nullptr;
  if (matcher != nullptr && matcher->writes()) {
    auto prepared = version_insert(d, what);
    if (!prepared) return prepared.error();
    written = *prepared;
  }
  constexpr std::size_t block = content_batch::rows_per_batch;
  std::vector<std::int64_t> contents;  // of the block of findings i is in
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto& f = findings[i];
    if (matcher != nullptr) {
      if (i % block == 0) contents = finding_contents(findings.subspan(i, std::min(block, findings.size() - i)));
      std::int64_t const content = contents[i % block];
      if (written != nullptr) {
        if (auto r = write_version(d, *written, scan_id, tenant_id, f, content, what); !r) return r;
        continue;
      }
      if (matcher->match(f, content)) continue;
    }
    bind_finding(**ins, scan_id, f);
    if (const int rc = (*ins)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return {};
}

}  // namespace

base::result<void> insert_findings(connection& d, std::int64_t scan_id, std::span<const finding_record> findings,
                                   std::string_view what) {
  if (findings.empty()) return {};
  return insert_unless_matched(d, scan_id, {}, findings, nullptr, what);
}

base::result<void> stage_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  std::span<const finding_record> findings, std::string_view what) {
  if (findings.empty()) return {};
  auto matcher = matcher_for(d, scan_id, tenant_id, what);
  if (!matcher) return matcher.error();
  return insert_unless_matched(d, scan_id, tenant_id, findings, *matcher, what);
}

}  // namespace detail

base::result<void> database::replace_findings(std::int64_t scan_id, std::span<const finding_record> findings) {
  return replace_findings(scan_id, [&](const finding_sink& emit) -> base::result<void> {
    for (const auto& f : findings)
      if (auto r = emit(f); !r) return r;
    return {};
  });
}

base::result<void> database::replace_findings(
    std::int64_t scan_id, const std::function<base::result<void>(const finding_sink& emit)>& produce) {
  std::string const what = fmt::format("store the findings of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto del = d.prepared("DELETE FROM pending_findings WHERE scan_id = ?1", what);
  auto ins = d.prepared(schema::insert_sql(schema::table_named("pending_findings"), schema::on_conflict::fail), what);
  for (auto* r : {&del, &ins})
    if (!*r) return r->error();

  // require_scan reads the scan's row inside the transaction, so per-row parent checks add nothing; the DELETE
  // below removes findings only, which nothing references.
  auto tx = detail::write_transaction::begin(d, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  detail::forget_unless_committed keep(d);
  auto home = require_scan(d, scan_id, what);
  if (!home) return home.error();
  int rc = SQLITE_OK;

  // The findings replaced may have been marked rather than staged: the marks go with them, and come back with them
  // should the transaction fail (the rows it deleted come back then).
  marks_replaced previous(d, scan_id);
  (*del)->bind_int(1, scan_id);
  if (rc = (*del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  detail::finding_matcher* matcher = nullptr;
  if (!home->complete) {
    if (auto r = detail::delete_written(d, scan_id, home->tenant_id, what); !r) return r;
    auto m = detail::matcher_for(d, scan_id, home->tenant_id, what);
    if (!m) return m.error();
    matcher = *m;
  }
  detail::statement* written = nullptr;  // the version insert, when the findings go straight to finding_versions
  if (matcher != nullptr && matcher->writes()) {
    auto prepared = detail::version_insert(d, what);
    if (!prepared) return prepared.error();
    written = *prepared;
  }

  // The insert is stepped and reset at each emit, so it is idle between emits; reads that produce runs on this
  // connection use statements of their own, and the statement cache (node-based) never moves this one.
  detail::statement& insert = **ins;
  // Once an insert fails nothing more is stored: SQLite may already have rolled the transaction back (a full
  // disk, say), and later inserts would then commit one by one outside it.
  std::optional<base::error> failed;
  const finding_sink emit = [&](const finding_record& f) -> base::result<void> {
    if (failed) return *failed;
    if (matcher != nullptr) {
      std::int64_t const content = detail::finding_content(f);
      if (written != nullptr) {
        if (auto r = detail::write_version(d, *written, scan_id, home->tenant_id, f, content, what); !r)
          failed = r.error();
        return failed ? base::result<void>(*failed) : base::result<void>{};
      }
      if (matcher->match(f, content)) return {};
    }
    detail::bind_finding(insert, scan_id, f);
    if (const int code = insert.run(); code != SQLITE_OK) {
      failed = d.failure(code, what);
      return *failed;
    }
    return {};
  };
  auto produced = produce(emit);
  if (failed) return *failed;  // even if produce went on and succeeded
  if (!produced) return produced.error();
  if (auto r = fold_if_complete(d, scan_id, *home, what); !r) return r;
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  previous.committed();
  return {};
}

base::result<void> database::add_findings(std::int64_t scan_id, std::span<const finding_record> findings) {
  std::string const what = fmt::format("store findings of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto tx = detail::write_transaction::begin(d, what, detail::parent_checks::verified_by_caller);
  if (!tx) return tx.error();
  detail::forget_unless_committed keep(d);
  auto home = require_scan(d, scan_id, what);
  if (!home) return home.error();
  if (auto r = unfold_if_complete(d, scan_id, *home, what); !r) return r;
  auto staged = home->complete ? detail::insert_findings(d, scan_id, findings, what)
                               : detail::stage_findings(d, scan_id, home->tenant_id, findings, what);
  if (!staged) return staged;
  if (auto r = fold_if_complete(d, scan_id, *home, what); !r) return r;
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  return {};
}

base::result<void> database::update_owner_findings(std::int64_t scan_id,
                                                   const std::function<void(finding_record&)>& fix) {
  std::string const what = fmt::format("name the owners in the findings of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto const& table = schema::table_named("pending_findings");
  auto const rowid_column = static_cast<int>(table.columns.size());
  std::string sql = schema::select_sql(table);
  sql.insert(sql.find(" FROM "), ", rowid");
  sql += " WHERE scan_id = ?1 AND (owner_ids <> '' OR group_ids <> '')";
  auto sel = d.prepared(sql, what);
  // The columns that name owners (held_cell::remade: owner_upns, recommended_action) are the ones rewritten.
  std::string set;
  int parameter = 1;
  for (const auto& field : finding_fields)
    if (field.held == held_cell::remade)
      set += fmt::format("{}{} = ?{}", set.empty() ? "" : ", ", field.column.name, ++parameter);
  auto upd = d.prepared(fmt::format("UPDATE pending_findings SET {} WHERE rowid = ?1", set), what);
  for (auto* r : {&sel, &upd})
    if (!*r) return r->error();
  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();
  detail::forget_unless_committed keep(d);
  auto home = require_scan(d, scan_id, what);
  if (!home) return home.error();
  if (auto r = unfold_if_complete(d, scan_id, *home, what); !r) return r;
  // Findings met unchanged were only marked: those fix changes are staged, renamed below with the rest.
  if (!home->complete)
    if (auto r = detail::release_changed_marks(d, scan_id, home->tenant_id, fix, what); !r) return r;
  detail::reset_on_exit guard(**sel);
  (*sel)->bind_int(1, scan_id);
  int rc = SQLITE_ROW;
  // Each UPDATE rewrites the row the SELECT stands on, and neither column it writes is one the SELECT filters or
  // orders by, so the SELECT goes on to the same rows it would have visited (sqlite.org/isolation.html).
  while ((rc = (*sel)->step()) == SQLITE_ROW) {
    finding_record f = detail::read_finding(**sel);
    std::int64_t const rowid = (*sel)->integer(rowid_column);
    finding_record const before = f;
    fix(f);
    // Most rows come out as they went in (names already right): rewriting them would only cost pages.
    if (detail::same_names(f, before)) continue;
    int i = 1;
    (*upd)->bind_int(i++, rowid);
    for (const auto& field : finding_fields) {
      if (field.held != held_cell::remade) continue;
      if (field.text != nullptr) (*upd)->bind_text(i++, f.*field.text);
      else (*upd)->bind_bool(i++, f.*field.flag);
    }
    if (const int u = (*upd)->run(); u != SQLITE_OK) return d.failure(u, what);
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  (*sel)->reset();
  if (!home->complete)
    if (auto r = detail::rename_written(d, scan_id, home->tenant_id, fix, what); !r) return r;
  if (auto r = fold_if_complete(d, scan_id, *home, what); !r) return r;
  if (auto r = tx->commit(what); !r) return r;
  keep.committed();
  return {};
}

base::result<void> database::for_each_finding(std::int64_t scan_id,
                                              const std::function<void(const finding_record&)>& fn) {
  std::string const what = fmt::format("read the findings of scan {} in '{}'", scan_id, impl_->path);
  auto home = require_scan(*impl_, scan_id, what);
  if (!home) return home.error();
  // The columns are BINARY (byte order, as docs/design.md §4.2 sorts). A complete snapshot's are read from
  // finding_versions_by_upn in principal name order, SQLite sorting only each user's rows by SKU; a running one's
  // few are sorted whole.
  std::string const sql =
      home->complete
          ? fmt::format("{} AS f WHERE {} ORDER BY f.user_principal_name, f.sku_part_number, f.sku_id",
                        schema::select_sql(schema::table_named("finding_versions")), detail::finding_held_sql())
          : fmt::format(
                "{} WHERE scan_id = ?1 UNION ALL {} WHERE {} ORDER BY user_principal_name, sku_part_number, "
                "sku_id",
                schema::select_sql(schema::table_named("pending_findings")),
                fmt::format("SELECT ?1, {} FROM finding_versions", detail::finding_columns("")),
                detail::finding_written_sql());
  int const first_column = home->complete ? 5 : 1;
  auto s = impl_->prepared(sql, what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, home->tenant_id);
  int rc = SQLITE_ROW;
  finding_record row;  // one record for every row: no allocation per cell once its buffers have grown
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    detail::read_finding(**s, row, first_column);
    fn(row);
  }
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return {};
}

}  // namespace storage
