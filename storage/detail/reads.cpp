// Reading snapshots: their metadata, and their users streamed in id order with licenses and states.
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/derived_plans.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

namespace storage {
namespace {

using detail::statement;

base::result<std::optional<scan_info>> one_scan(detail::connection& d, std::string_view sql, std::string_view what,
                                                const std::function<void(statement&)>& bind) {
  auto s = d.prepared(sql, what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  bind(**s);
  const int rc = (*s)->step();
  if (rc == SQLITE_DONE) return std::optional<scan_info>{};
  if (rc != SQLITE_ROW) return d.failure(rc, what);
  return std::optional<scan_info>{detail::read_scan(**s)};
}

std::string scans_select() { return schema::select_sql(schema::table_named("scans")); }

// How the users of a snapshot are walked: by id (sorted; older copies of a user skipped) or as stored (the
// tables' key order, nothing sorted; only for complete snapshots, which hold one copy of each user).
enum class walk { by_id, as_stored };

// Where user_id and user_seq are in a child table's row (schema order of user_licenses and license_states).
constexpr int child_user_column = 3;
constexpr int child_seq_column = 1;

// A cursor over one child table (user_licenses, license_states) in the walk's order — (user_id, user_seq DESC, …)
// or (user_seq, …) — merged with the users cursor: streaming, so memory never grows with the tenant.
class child_cursor {
 public:
  child_cursor(statement& s, walk order) : s_(s), order_(order) {}
  void advance() { rc_ = s_.step(); }
  // Collects the rows of the user's current copy (user_id, seq), skipping rows of older copies and of users
  // that come before it: neither ever reaches a caller.
  template <class Record, class Read>
  int collect(std::string_view user_id, std::int64_t seq, std::vector<Record>& out, Read read) {
    while (rc_ == SQLITE_ROW) {
      std::int64_t const row_seq = s_.integer(child_seq_column);
      if (order_ == walk::as_stored) {
        if (row_seq > seq) break;
        if (row_seq == seq) out.push_back(read(s_));
      } else {
        std::string_view const row_user = s_.text_view(child_user_column);
        if (row_user > user_id) break;
        if (row_user == user_id && row_seq == seq) out.push_back(read(s_));
      }
      advance();
    }
    return rc_ == SQLITE_ROW || rc_ == SQLITE_DONE ? SQLITE_OK : rc_;
  }

 private:
  statement& s_;
  walk order_;
  int rc_ = SQLITE_DONE;
};

// Batches of users handed from a reading thread to the caller's: bounded, so memory stays flat in the tenant.
class prefetch_queue {
 public:
  static constexpr std::size_t batch_users = 256;
  static constexpr std::size_t max_batches = 8;

  // Waits while the queue is full, then adds batch.
  void push(std::vector<user_licenses> batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return batches_.size() < max_batches; });
    batches_.push_back(std::move(batch));
    changed_.notify_all();
  }
  // No more batches will come.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  // The next batch, waiting for one; nullopt once closed and drained.
  std::optional<std::vector<user_licenses>> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !batches_.empty() || closed_; });
    if (batches_.empty()) return std::nullopt;
    auto batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<user_licenses>> batches_;
  bool closed_ = false;
};

// Streams every user of the snapshot with their licenses and states to fn, in the walk's order.
base::result<void> walk_users(detail::connection& d, std::int64_t scan_id, walk order,
                              const std::function<void(const user_licenses&)>& fn) {
  std::string const what = fmt::format("read the users of scan {} in '{}'", scan_id, d.path);
  bool const by_id = order == walk::by_id;
  // By id: SQLite's sorter puts the arrival-ordered rows in id order (spilling to temporary files past
  // cache_size, so memory stays bounded); seq DESC first gives the current copy of a user stored twice. As
  // stored: each ORDER BY is the table's primary key, so SQLite walks the b-trees and sorts nothing.
  auto users = d.prepared(schema::select_sql(schema::table_named("users")) + " WHERE scan_id = ?1 ORDER BY " +
                              (by_id ? "id, seq DESC" : "seq"),
                          what);
  auto licenses =
      d.prepared(schema::select_sql(schema::table_named("user_licenses")) + " WHERE scan_id = ?1 ORDER BY " +
                     (by_id ? "user_id, user_seq DESC" : "user_seq") + ", sku_id",
                 what);
  auto states = d.prepared(schema::select_sql(schema::table_named("license_states")) + " WHERE scan_id = ?1 ORDER BY " +
                               (by_id ? "user_id, user_seq DESC" : "user_seq") + ", position",
                           what);
  for (auto* r : {&users, &licenses, &states})
    if (!*r) return r->error();
  detail::reset_on_exit g1(**users), g2(**licenses), g3(**states);
  for (auto* r : {&users, &licenses, &states}) (**r)->bind_int(1, scan_id);

  // The users cursor steps first: the other two then join its read transaction, so all three see one state.
  int rc = (*users)->step();
  child_cursor lic(**licenses, order);
  child_cursor st(**states, order);
  lic.advance();
  st.advance();
  user_licenses current;
  bool first = true;
  while (rc == SQLITE_ROW) {
    if (by_id && !first && (*users)->text_view(2) == current.user.id) {  // an older copy just delivered
      rc = (*users)->step();
      continue;
    }
    first = false;
    std::int64_t const seq = (*users)->integer(1);
    current.user = detail::read_user(**users);
    current.licenses.clear();
    current.states.clear();
    if (const int e = lic.collect(current.user.id, seq, current.licenses, detail::read_assigned_license);
        e != SQLITE_OK)
      return d.failure(e, what);
    if (const int e = st.collect(current.user.id, seq, current.states, detail::read_license_state); e != SQLITE_OK)
      return d.failure(e, what);
    fn(current);
    rc = (*users)->step();
  }
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  return {};
}

}  // namespace

base::result<std::optional<scan_info>> database::latest_complete_scan(std::string_view tenant_id) {
  std::string const what = fmt::format("read the latest complete scan in '{}'", impl_->path);
  // Readers see complete snapshots only (invariant 2).
  return one_scan(*impl_,
                  scans_select() +
                      " WHERE status = 'complete' AND (?1 = '' OR tenant_id = ?1) "
                      "ORDER BY scan_id DESC LIMIT 1",
                  what, [&](statement& s) { s.bind_text(1, tenant_id); });
}

base::result<std::optional<scan_info>> database::resumable_scan(std::string_view tenant_id) {
  std::string const what = fmt::format("read the scan to resume in '{}'", impl_->path);
  // A 'running' snapshot whose process was killed counts; one older than the tenant's newest complete
  // snapshot does not: it is superseded (and prune removes it).
  return one_scan(*impl_,
                  scans_select() +
                      " AS s WHERE s.status IN ('running', 'interrupted') AND s.tenant_id = ?1 "
                      "AND s.scan_id > coalesce((SELECT max(c.scan_id) FROM scans AS c WHERE "
                      "c.tenant_id = ?1 AND c.status = 'complete'), 0) "
                      "ORDER BY s.scan_id DESC LIMIT 1",
                  what, [&](statement& s) { s.bind_text(1, tenant_id); });
}

base::result<std::optional<scan_info>> database::scan(std::int64_t scan_id) {
  std::string const what = fmt::format("read scan {} in '{}'", scan_id, impl_->path);
  return one_scan(*impl_, scans_select() + " WHERE scan_id = ?1", what, [&](statement& s) { s.bind_int(1, scan_id); });
}

base::result<std::vector<scan_info>> database::scans(std::string_view tenant_id) {
  std::string const what = fmt::format("list the scans in '{}'", impl_->path);
  auto s = impl_->prepared(scans_select() + " WHERE ?1 = '' OR tenant_id = ?1 ORDER BY scan_id DESC", what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_text(1, tenant_id);
  std::vector<scan_info> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(detail::read_scan(**s));
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return out;
}

base::result<void> detail::walk_users_by_id(connection& d, std::int64_t scan_id,
                                            const std::function<void(const user_licenses&)>& fn) {
  return walk_users(d, scan_id, walk::by_id, fn);
}

base::result<void> database::for_each_user(std::int64_t scan_id, const std::function<void(const user_licenses&)>& fn) {
  return walk_users(*impl_, scan_id, walk::by_id, fn);
}

base::result<std::vector<std::pair<std::string, std::string>>> database::user_principal_names(
    std::int64_t scan_id, std::span<const std::string> user_ids) {
  std::string const what = fmt::format("look up users of scan {} in '{}'", scan_id, impl_->path);
  // No index by id (users are keyed by arrival): one pass over the snapshot's users answers every id at once.
  auto s = impl_->prepared("SELECT id, seq, user_principal_name FROM users WHERE scan_id = ?1", what);
  if (!s) return s.error();
  std::unordered_map<std::string_view, std::pair<std::int64_t, std::string>> found;
  for (const auto& id : user_ids) found.emplace(id, std::pair<std::int64_t, std::string>{-1, {}});
  {
    detail::reset_on_exit guard(**s);
    (*s)->bind_int(1, scan_id);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW) {
      auto it = found.find((*s)->text_view(0));
      if (it == found.end() || (*s)->integer(1) < it->second.first) continue;
      it->second = {(*s)->integer(1), (*s)->text(2)};
    }
    if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& id : user_ids) {
    auto it = found.find(id);
    if (it->second.first < 0) continue;
    out.emplace_back(id, it->second.second);
    it->second.first = -1;  // an id asked twice is answered once
  }
  return out;
}

base::result<void> database::for_each_license_plan(std::int64_t scan_id,
                                                   const std::function<void(const license_plan_record&)>& fn) {
  std::string const what = fmt::format("read the license plans of scan {} in '{}'", scan_id, impl_->path);
  auto info = scan(scan_id);
  if (!info) return info.error();
  if (!info->has_value()) return {};
  if ((*info)->license_details_mode == "derived") return detail::derive_license_plans(*this, scan_id, fn);

  auto s = impl_->prepared(schema::select_sql(schema::table_named("license_plans")) +
                               " WHERE scan_id = ?1 ORDER BY user_id, sku_id, service_plan_id, seq DESC",
                           what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  int rc = SQLITE_ROW;
  license_plan_record previous;
  bool first = true;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto row = detail::read_license_plan(**s);
    const bool older_copy = !first && row.user_id == previous.user_id && row.sku_id == previous.sku_id &&
                            row.service_plan_id == previous.service_plan_id;
    first = false;
    if (older_copy) continue;
    fn(row);
    previous = std::move(row);
  }
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return {};
}

base::result<void> database::for_each_user_as_stored(std::int64_t scan_id,
                                                     const std::function<void(const user_licenses&)>& fn) {
  auto info = scan(scan_id);
  if (!info) return info.error();
  bool const complete = *info && (*info)->status == scan_status::complete;
  if (!complete) return walk_users(*impl_, scan_id, walk::by_id, fn);

  // The rows are read on a second connection and thread while this one runs fn (the audit classifies and
  // stores findings on this connection meanwhile): reading and classifying overlap on two cores. WAL lets the
  // reader see the committed snapshot beside this connection's open write transaction.
  auto reader = database::open(impl_->path, open_mode::read_only);
  if (!reader) return walk_users(*impl_, scan_id, walk::as_stored, fn);
  prefetch_queue queue;
  base::result<void> read = base::result<void>{};
  std::thread reading([&] {
    std::vector<user_licenses> batch;
    read = walk_users(*reader->impl_, scan_id, walk::as_stored, [&](const user_licenses& u) {
      batch.push_back(u);
      if (batch.size() == prefetch_queue::batch_users) queue.push(std::exchange(batch, {}));
    });
    if (!batch.empty()) queue.push(std::move(batch));
    queue.close();
  });
  while (auto batch = queue.pop())
    for (auto const& u : *batch) fn(u);
  reading.join();
  return read;
}

}  // namespace storage
