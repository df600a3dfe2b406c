#include "storage/detail/user_versions.hpp"

#include "storage/detail/database_impl.hpp"
#include "storage/detail/json_array.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>

namespace storage::detail {

std::string_view user_held_sql() {
  // Complete: the snapshot lies in the version's range. Running or failed: it stored the version or met it again.
  return "v.tenant_id = ?2 AND v.first_scan <= ?1 AND (v.until_scan IS NULL OR v.until_scan > ?1) AND (?3 = 1 OR "
         "v.first_scan = ?1 OR EXISTS (SELECT 1 FROM user_seen AS n WHERE n.scan_id = ?1 AND n.version_id = "
         "v.version_id))";
}

namespace {

template <class Sink>
void add_user(Sink& h, const user_record& u, std::span<const assigned_license_record* const> licenses,
              std::span<const license_state_record* const> states) {
  h.add(u.id);
  h.add(u.user_principal_name);
  h.add(u.display_name);
  h.add(u.mail);
  h.add(u.user_type);
  h.add(u.account_enabled);
  h.add(u.usage_location);
  h.add(u.on_premises_sync_enabled);
  h.add(u.department);
  h.add(u.created_date_time);
  h.add(u.creation_type);
  h.add(static_cast<std::int64_t>(licenses.size()));
  for (const auto* l : licenses) {
    h.add(l->sku_id);
    h.add(static_cast<std::int64_t>(l->disabled_plans.size()));
    for (const auto& p : l->disabled_plans) h.add(p);
  }
  h.add(static_cast<std::int64_t>(states.size()));
  for (const auto* s : states) {
    h.add(s->sku_id);
    h.add(std::optional<bool>(s->assigned_by_group.has_value()));
    h.add(s->assigned_by_group.value_or(std::string()));
    h.add(s->state);
    h.add(s->error);
    h.add(s->last_updated_date_time);
    h.add(static_cast<std::int64_t>(s->disabled_plans.size()));
    for (const auto& p : s->disabled_plans) h.add(p);
  }
}

}  // namespace

std::int64_t user_content(const user_record& u, std::span<const assigned_license_record* const> licenses,
                          std::span<const license_state_record* const> states) {
  content_hasher h;
  add_user(h, u, licenses, states);
  return h.value();
}

void add_user_content(content_batch& batch, const user_record& u,
                      std::span<const assigned_license_record* const> licenses,
                      std::span<const license_state_record* const> states) {
  auto bytes = batch.row();
  add_user(bytes, u, licenses, states);
  batch.end_row();
}

base::result<open_user_versions> open_user_versions::load(connection& d, std::int64_t scan_id, std::string tenant_id,
                                                          std::string_view what) {
  auto s = d.prepared(
      "SELECT v.version_id, v.id, v.content_hash, v.first_scan = ?1, EXISTS (SELECT 1 FROM user_seen AS n WHERE "
      "n.scan_id = ?1 AND n.version_id = v.version_id) FROM user_versions AS v WHERE v.tenant_id = ?2 AND "
      "v.until_scan IS NULL",
      what);
  if (!s) return s.error();
  open_user_versions out;
  out.scan_id_ = scan_id;
  out.tenant_id_ = std::move(tenant_id);
  {
    reset_on_exit guard(**s);
    (*s)->bind_int(1, scan_id);
    (*s)->bind_text(2, out.tenant_id_);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW) {
      auto const key = key_of((*s)->text_view(1));
      std::uint32_t flags = 0;
      if ((*s)->integer(3) != 0) flags |= stored_now;
      if ((*s)->integer(4) != 0) flags |= met;
      out.entries_.push_back({key.a, key.b, flags, (*s)->integer(0), (*s)->integer(2)});
    }
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  // By key, then version: of two current versions of one id (left by a scan that failed before it removed a copy),
  // find() takes the later, as readers of that scan did; the other ends when this snapshot completes unmet.
  std::sort(out.entries_.begin(), out.entries_.end(), [](const entry& a, const entry& b) {
    return std::tie(a.key_a, a.key_b, a.version) < std::tie(b.key_a, b.key_b, b.version);
  });
  return out;
}

open_user_versions::entry* open_user_versions::find(const id_key& key) {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), key, [](const id_key& k, const entry& e) {
    return std::tie(k.a, k.b) < std::tie(e.key_a, e.key_b);
  });
  if (it == entries_.begin()) return nullptr;
  --it;
  return it->key_a == key.a && it->key_b == key.b ? &*it : nullptr;
}

base::result<void> delete_user_version(connection& d, std::int64_t version, std::string_view what) {
  for (auto sql :
       {"DELETE FROM user_license_versions WHERE version_id = ?1",
        "DELETE FROM license_state_versions WHERE version_id = ?1", "DELETE FROM user_versions WHERE version_id = ?1"})
    if (auto r = d.run_ints(sql, what, {version}); !r) return r;
  return {};
}

base::result<void> open_user_versions::write(connection& d, const user_record& user,
                                             std::span<const assigned_license_record* const> licenses,
                                             std::span<const license_state_record* const> states,
                                             std::string_view what) {
  return write(d, user, licenses, states, user_content(user, licenses, states), what);
}

base::result<void> open_user_versions::write(connection& d, const user_record& user,
                                             std::span<const assigned_license_record* const> licenses,
                                             std::span<const license_state_record* const> states, std::int64_t content,
                                             std::string_view what) {
  // No current versions (a tenant's first snapshot): nothing to find, and no key to make.
  entry* current = entries_.empty() ? nullptr : find(key_of(user.id));
  if (current != nullptr) {
    if (current->content == content) {
      if ((current->flags & (stored_now | met)) == 0) {
        if (auto r = d.run_ints("INSERT OR IGNORE INTO user_seen (scan_id, version_id) VALUES (?1, ?2)", what,
                                {scan_id_, current->version});
            !r)
          return r;
        current->flags |= met;
      }
      return {};
    }
    // Changed: the version this snapshot stored goes; one an earlier snapshot stored ends here.
    if ((current->flags & stored_now) != 0) {
      if (auto r = delete_user_version(d, current->version, what); !r) return r;
    } else {
      if (auto r = d.run_ints("UPDATE user_versions SET until_scan = ?1 WHERE version_id = ?2", what,
                              {scan_id_, current->version});
          !r)
        return r;
      if ((current->flags & met) != 0)
        if (auto r = d.run_ints("DELETE FROM user_seen WHERE scan_id = ?1 AND version_id = ?2", what,
                                {scan_id_, current->version});
            !r)
          return r;
    }
  }

  if (insert_user_ == nullptr) {
    auto ins_user =
        d.prepared(schema::insert_sql(schema::table_named("user_versions"), schema::on_conflict::fail), what);
    auto ins_license = d.prepared(
        schema::insert_sql(schema::table_named("user_license_versions"), schema::on_conflict::replace), what);
    auto ins_state =
        d.prepared(schema::insert_sql(schema::table_named("license_state_versions"), schema::on_conflict::fail), what);
    for (auto* r : {&ins_user, &ins_license, &ins_state})
      if (!*r) return r->error();
    insert_user_ = *ins_user;
    insert_license_ = *ins_license;
    insert_state_ = *ins_state;
  }
  bind_user_version(*insert_user_, tenant_id_, scan_id_, content, user);
  if (const int rc = insert_user_->run(); rc != SQLITE_OK) return d.failure(rc, what);
  std::int64_t const version = sqlite3_last_insert_rowid(d.db);
  for (const auto* l : licenses) {
    std::string const json = to_json_array(l->disabled_plans);
    bind_license_version(*insert_license_, version, *l, json);
    if (const int rc = insert_license_->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  std::int64_t position = 0;
  for (const auto* s : states) {
    std::string const json = to_json_array(s->disabled_plans);
    bind_state_version(*insert_state_, version, position++, *s, json);
    if (const int rc = insert_state_->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  // A user new to the tenant is not remembered: met again in this snapshot (a page listed twice), it is stored
  // again, and drop_repeated_users keeps the later copy, as readers always took the later one.
  if (current != nullptr) *current = {current->key_a, current->key_b, stored_now, version, content};
  return {};
}

base::result<void> drop_repeated_users(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                       std::string_view what) {
  auto s = d.prepared(
      "SELECT version_id FROM (SELECT version_id, row_number() OVER (PARTITION BY id ORDER BY version_id DESC) AS n "
      "FROM user_versions WHERE tenant_id = ?2 AND first_scan = ?1 AND until_scan IS NULL) WHERE n > 1",
      what);
  if (!s) return s.error();
  std::vector<std::int64_t> older;
  {
    reset_on_exit guard(**s);
    (*s)->bind_int(1, scan_id);
    (*s)->bind_text(2, tenant_id);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW) older.push_back((*s)->integer(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  for (auto v : older)
    if (auto r = delete_user_version(d, v, what); !r) return r;
  return {};
}

base::result<void> open_user_versions::end_unmet(connection& d, std::string_view what) const {
  // The entries are the tenant's current versions as this snapshot left them (a changed user's old version already
  // ended, its new one stored_now): those neither stored nor met are the users that went. first_scan < ?1 keeps a
  // version a later snapshot stored (a resumed older snapshot) as it is.
  for (const auto& e : entries_)
    if ((e.flags & (stored_now | met)) == 0)
      if (auto r = d.run_ints("UPDATE user_versions SET until_scan = ?1 WHERE version_id = ?2 AND until_scan IS NULL "
                              "AND first_scan < ?1",
                              what, {scan_id_, e.version});
          !r)
        return r;
  return {};
}

base::result<void> end_unmet_users(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                   std::string_view what) {
  auto writer = users_writer(d, scan_id, std::string(tenant_id), what);
  if (!writer) return writer.error();
  if (auto r = (*writer)->end_unmet(d, what); !r) return r;
  // Its entries no longer match the file, and the rest of the completion does not need them: 32 bytes a user back.
  d.user_writer.reset();
  return d.run_ints("DELETE FROM user_seen WHERE scan_id = ?1", what, {scan_id});
}

base::result<open_user_versions*> users_writer(connection& d, std::int64_t scan_id, const std::string& tenant_id,
                                               std::string_view what) {
  if (!d.user_writer || d.user_writer->scan_id() != scan_id) {
    d.user_writer.reset();
    auto loaded = open_user_versions::load(d, scan_id, tenant_id, what);
    if (!loaded) return loaded.error();
    d.user_writer.emplace(std::move(*loaded));
  }
  return &*d.user_writer;
}

base::result<std::int64_t> count_users(connection& d, std::int64_t scan_id, std::string_view tenant_id, bool complete,
                                       std::string_view what) {
  auto s = d.prepared(fmt::format("SELECT count(*) FROM user_versions AS v WHERE {}", user_held_sql()), what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  (*s)->bind_text(2, tenant_id);
  (*s)->bind_int(3, complete ? 1 : 0);
  if (const int rc = (*s)->step(); rc != SQLITE_ROW) return d.failure(rc, what);
  return (*s)->integer(0);
}

}  // namespace storage::detail
