// The tenant's SKUs and subscriptions of a snapshot: each distinct row stored once, a snapshot listing the rows it
// read (docs/schema.md "Versions"). They are small, so they are written and read whole.
#include "storage/database.hpp"
#include "storage/detail/content_hash.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/fact_versions.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <map>
#include <string>

namespace storage {
namespace {

using detail::connection;
using detail::statement;

void add_optional(detail::content_hasher& h, const std::optional<std::string>& v) {
  h.add(std::optional<bool>(v.has_value()));
  if (v) h.add(*v);
}

void add_optional(detail::content_hasher& h, std::optional<std::int64_t> v) {
  h.add(std::optional<bool>(v.has_value()));
  if (v) h.add(*v);
}

std::int64_t hash_of(const std::vector<service_plan_record>& plans) {
  detail::content_hasher h;
  h.add(static_cast<std::int64_t>(plans.size()));
  for (const auto& p : plans) {
    h.add(p.service_plan_id);
    h.add(p.service_plan_name);
    h.add(p.provisioning_status);
    h.add(p.applies_to);
  }
  return h.value();
}

std::int64_t hash_of(const sku_record& r, std::int64_t plan_list) {
  detail::content_hasher h;
  for (std::string_view f :
       {r.id, r.sku_id, r.sku_part_number, r.account_id, r.account_name, r.applies_to, r.capability_status})
    h.add(f);
  for (auto n : {r.consumed_units, r.prepaid_enabled, r.prepaid_suspended, r.prepaid_warning, r.prepaid_locked_out})
    h.add(n);
  h.add(static_cast<std::int64_t>(r.subscription_ids.size()));
  for (const auto& id : r.subscription_ids) h.add(id);
  h.add(plan_list);
  return h.value();
}

std::int64_t hash_of(const subscription_record& r) {
  detail::content_hasher h;
  for (std::string_view f : {r.id, r.commerce_subscription_id, r.sku_id, r.sku_part_number, r.status}) h.add(f);
  h.add(r.is_trial);
  add_optional(h, r.total_licenses);
  h.add(r.created_date_time);
  h.add(r.next_lifecycle_date_time);
  add_optional(h, r.owner_id);
  add_optional(h, r.owner_tenant_id);
  add_optional(h, r.owner_type);
  return h.value();
}

// The rows stored under hash, by key: the caller compares their content (a fingerprint only narrows the search).
base::result<std::vector<std::int64_t>> keys_with_hash(connection& d, std::string_view table, std::string_view key,
                                                       std::int64_t hash, std::string_view what) {
  auto s = d.prepared(fmt::format("SELECT {} FROM {} WHERE content_hash = ?1", key, table), what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, hash);
  std::vector<std::int64_t> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back((*s)->integer(0));
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  return out;
}

// INSERT of every column of table but its first (the rowid key SQLite assigns), parameters in declaration order.
std::string insert_without_key(std::string_view table) {
  const auto& t = schema::table_named(table);
  std::string names;
  std::string params;
  for (std::size_t i = 1; i < t.columns.size(); ++i) {
    names += fmt::format("{}{}", i > 1 ? ", " : "", t.columns[i].name);
    params += fmt::format("{}?{}", i > 1 ? ", " : "", i);
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({})", table, names, params);
}

base::result<std::int64_t> plan_list_of(connection& d, const std::vector<service_plan_record>& plans,
                                        std::string_view what) {
  std::int64_t const hash = hash_of(plans);
  auto candidates = keys_with_hash(d, "sku_plan_lists", "list_id", hash, what);
  if (!candidates) return candidates.error();
  auto items = d.prepared(
      "SELECT service_plan_id, service_plan_name, provisioning_status, applies_to FROM sku_plan_list_items "
      "WHERE list_id = ?1 ORDER BY position",
      what);
  if (!items) return items.error();
  for (auto list : *candidates) {
    detail::reset_on_exit guard(**items);
    (*items)->bind_int(1, list);
    std::vector<service_plan_record> stored;
    int rc = SQLITE_ROW;
    while ((rc = (*items)->step()) == SQLITE_ROW)
      stored.push_back({(*items)->text(0), (*items)->text(1), (*items)->text(2), (*items)->text(3)});
    if (rc != SQLITE_DONE) return d.failure(rc, what);
    if (stored == plans) return list;
  }

  auto head = d.prepared(insert_without_key("sku_plan_lists"), what);
  auto item =
      d.prepared(schema::insert_sql(schema::table_named("sku_plan_list_items"), schema::on_conflict::fail), what);
  for (auto* r : {&head, &item})
    if (!*r) return r->error();
  (*head)->bind_int(1, hash);
  if (const int rc = (*head)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  std::int64_t const list = sqlite3_last_insert_rowid(d.db);
  std::int64_t position = 0;
  for (const auto& p : plans) {
    statement& s = **item;
    s.bind_int(1, list);
    s.bind_int(2, position++);
    s.bind_text(3, p.service_plan_id);
    s.bind_text(4, p.service_plan_name);
    s.bind_text(5, p.provisioning_status);
    s.bind_text(6, p.applies_to);
    if (const int rc = s.run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return list;
}

base::result<std::int64_t> sku_version_of(connection& d, const sku_record& sku, std::int64_t plan_list,
                                          std::string_view what) {
  std::int64_t const hash = hash_of(sku, plan_list);
  auto s = d.prepared(schema::select_sql(schema::table_named("sku_versions")) + " WHERE content_hash = ?1", what);
  if (!s) return s.error();
  // Columns: version_id, content_hash, the SKU's fields, plan_list_id.
  constexpr int list_column = 14;
  std::vector<std::int64_t> same_row;  // the versions whose own columns equal the SKU's: their ids are compared next
  {
    detail::reset_on_exit guard(**s);
    (*s)->bind_int(1, hash);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW) {
      statement const& row = **s;
      auto stored = detail::read_sku(row, 2);
      stored.subscription_ids = sku.subscription_ids;
      stored.service_plans = sku.service_plans;  // compared by plan_list_id
      if (row.integer(list_column) == plan_list && stored == sku) same_row.push_back(row.integer(0));
    }
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  auto ids = d.prepared(
      "SELECT subscription_id FROM sku_version_subscription_ids WHERE version_id = ?1 ORDER BY position", what);
  if (!ids) return ids.error();
  for (auto version : same_row) {
    detail::reset_on_exit guard(**ids);
    (*ids)->bind_int(1, version);
    std::vector<std::string> stored;
    int rc = SQLITE_ROW;
    while ((rc = (*ids)->step()) == SQLITE_ROW) stored.push_back((*ids)->text(0));
    if (rc != SQLITE_DONE) return d.failure(rc, what);
    if (stored == sku.subscription_ids) return version;
  }

  auto ins = d.prepared(insert_without_key("sku_versions"), what);
  auto ins_id = d.prepared(
      schema::insert_sql(schema::table_named("sku_version_subscription_ids"), schema::on_conflict::fail), what);
  for (auto* r : {&ins, &ins_id})
    if (!*r) return r->error();
  detail::bind_sku(**ins, hash, sku);
  (*ins)->bind_int(list_column, plan_list);
  if (const int rc = (*ins)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  std::int64_t const version = sqlite3_last_insert_rowid(d.db);
  std::int64_t position = 0;
  for (const auto& id : sku.subscription_ids) {
    (*ins_id)->bind_int(1, version);
    (*ins_id)->bind_int(2, position++);
    (*ins_id)->bind_text(3, id);
    if (const int rc = (*ins_id)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return version;
}

base::result<std::int64_t> subscription_version_of(connection& d, const subscription_record& sub,
                                                   std::string_view what) {
  std::int64_t const hash = hash_of(sub);
  auto s =
      d.prepared(schema::select_sql(schema::table_named("subscription_versions")) + " WHERE content_hash = ?1", what);
  if (!s) return s.error();
  {
    detail::reset_on_exit guard(**s);
    (*s)->bind_int(1, hash);
    int rc = SQLITE_ROW;
    while ((rc = (*s)->step()) == SQLITE_ROW)
      if (detail::read_subscription(**s, 2) == sub) return (*s)->integer(0);
    if (rc != SQLITE_DONE) return d.failure(rc, what);
  }
  auto ins = d.prepared(insert_without_key("subscription_versions"), what);
  if (!ins) return ins.error();
  detail::bind_subscription(**ins, hash, sub);
  if (const int rc = (*ins)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  return sqlite3_last_insert_rowid(d.db);
}

// The last record of each id, as the per-snapshot tables' primary key (scan_id, id) kept it before version 6.
template <class Record>
std::map<std::string_view, const Record*> last_of_each(std::span<const Record> records) {
  std::map<std::string_view, const Record*> out;
  for (const auto& r : records) out[r.id] = &r;
  return out;
}

// SELECT of the columns the view `name` declares (schema version 5's table of that name), from the relation from.
std::string select_from(std::string_view name, std::string_view from) {
  std::string const sql = schema::select_sql(schema::table_named(name));
  return fmt::format("{} FROM {}", sql.substr(0, sql.rfind(" FROM ")), from);
}

base::result<void> run_with_scan(connection& d, const std::string& sql, std::int64_t scan_id, std::string_view what) {
  auto s = d.prepared(sql, what);
  if (!s) return s.error();
  (*s)->bind_int(1, scan_id);
  if (const int rc = (*s)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  return {};
}

}  // namespace

namespace detail {

base::result<void> require_running(connection& d, std::int64_t scan_id, std::string_view what) {
  auto running = d.prepared("SELECT 1 FROM scans WHERE scan_id = ?1 AND status IN ('running', 'interrupted')", what);
  if (!running) return running.error();
  reset_on_exit guard(**running);
  (*running)->bind_int(1, scan_id);
  int const rc = (*running)->step();
  if (rc == SQLITE_DONE)
    return base::runtime_error(fmt::format("cannot {}: scan {} is not running — start a new scan", what, scan_id));
  if (rc != SQLITE_ROW) return d.failure(rc, what);
  return {};
}

base::result<void> store_tenant_facts(connection& d, std::int64_t scan_id, std::span<const sku_record> skus,
                                      std::span<const subscription_record> subscriptions, std::string_view what) {
  // Replacing, not merging: a resumed scan reads /subscribedSkus again and must not keep SKUs that went away.
  for (auto table : {"snapshot_skus", "snapshot_subscriptions"})
    if (auto r = run_with_scan(d, fmt::format("DELETE FROM {} WHERE scan_id = ?1", table), scan_id, what); !r) return r;
  auto held_sku = d.prepared("INSERT OR IGNORE INTO snapshot_skus (scan_id, version_id) VALUES (?1, ?2)", what);
  auto held_sub =
      d.prepared("INSERT OR IGNORE INTO snapshot_subscriptions (scan_id, version_id) VALUES (?1, ?2)", what);
  for (auto* r : {&held_sku, &held_sub})
    if (!*r) return r->error();

  for (const auto& [id, sku] : last_of_each(skus)) {
    auto list = plan_list_of(d, sku->service_plans, what);
    if (!list) return list.error();
    auto version = sku_version_of(d, *sku, *list, what);
    if (!version) return version.error();
    (*held_sku)->bind_int(1, scan_id);
    (*held_sku)->bind_int(2, *version);
    if (const int rc = (*held_sku)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  for (const auto& [id, sub] : last_of_each(subscriptions)) {
    auto version = subscription_version_of(d, *sub, what);
    if (!version) return version.error();
    (*held_sub)->bind_int(1, scan_id);
    (*held_sub)->bind_int(2, *version);
    if (const int rc = (*held_sub)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return drop_unheld_facts(d, what);
}

base::result<void> drop_unheld_facts(connection& d, std::string_view what) {
  for (auto sql : {"DELETE FROM sku_versions WHERE version_id NOT IN (SELECT version_id FROM snapshot_skus)",
                   "DELETE FROM sku_version_subscription_ids WHERE version_id NOT IN (SELECT version_id FROM "
                   "sku_versions)",
                   "DELETE FROM subscription_versions WHERE version_id NOT IN (SELECT version_id FROM "
                   "snapshot_subscriptions)",
                   "DELETE FROM sku_plan_list_items WHERE list_id NOT IN (SELECT plan_list_id FROM sku_versions)",
                   "DELETE FROM sku_plan_lists WHERE list_id NOT IN (SELECT plan_list_id FROM sku_versions)"})
    if (auto r = d.exec(sql, what); !r) return r;
  return {};
}

base::result<std::vector<sku_record>> read_skus(connection& d, const fact_sources& from, std::int64_t scan_id,
                                                std::string_view what) {
  auto s = d.prepared(select_from("skus", from.skus) + " WHERE scan_id = ?1 ORDER BY id", what);
  auto plans = d.prepared(
      fmt::format("SELECT sku_key, service_plan_id, service_plan_name, provisioning_status, applies_to FROM {} "
                  "WHERE scan_id = ?1 ORDER BY sku_key, position",
                  from.service_plans),
      what);
  auto ids =
      d.prepared(fmt::format("SELECT sku_key, subscription_id FROM {} WHERE scan_id = ?1 ORDER BY sku_key, position",
                             from.subscription_ids),
                 what);
  for (auto* r : {&s, &plans, &ids})
    if (!*r) return r->error();

  // Three cursors in sku id order, merged: the child lists of each SKU are the rows with its key.
  reset_on_exit g1(**s), g2(**plans), g3(**ids);
  for (auto* r : {&s, &plans, &ids}) (**r)->bind_int(1, scan_id);
  std::vector<sku_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(read_sku(**s));
  if (rc != SQLITE_DONE) return d.failure(rc, what);

  std::size_t i = 0;
  while ((rc = (*plans)->step()) == SQLITE_ROW) {
    std::string_view const key = (*plans)->text_view(0);
    while (i < out.size() && out[i].id < key) ++i;
    if (i == out.size()) break;
    if (out[i].id != key) continue;
    out[i].service_plans.push_back({(*plans)->text(1), (*plans)->text(2), (*plans)->text(3), (*plans)->text(4)});
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return d.failure(rc, what);

  i = 0;
  while ((rc = (*ids)->step()) == SQLITE_ROW) {
    std::string_view const key = (*ids)->text_view(0);
    while (i < out.size() && out[i].id < key) ++i;
    if (i == out.size()) break;
    if (out[i].id != key) continue;
    out[i].subscription_ids.push_back((*ids)->text(1));
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) return d.failure(rc, what);
  return out;
}

base::result<std::vector<subscription_record>> read_subscriptions(connection& d, const fact_sources& from,
                                                                  std::int64_t scan_id, std::string_view what) {
  auto s = d.prepared(select_from("subscriptions", from.subscriptions) + " WHERE scan_id = ?1 ORDER BY id", what);
  if (!s) return s.error();
  reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  std::vector<subscription_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(read_subscription(**s));
  if (rc != SQLITE_DONE) return d.failure(rc, what);
  return out;
}

}  // namespace detail

base::result<void> database::write_tenant_facts(std::int64_t scan_id, std::span<const sku_record> skus,
                                                std::span<const subscription_record> subscriptions) {
  std::string const what = fmt::format("store the SKUs and subscriptions of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();
  if (auto running = detail::require_running(d, scan_id, what); !running) return running;
  if (auto r = detail::store_tenant_facts(d, scan_id, skus, subscriptions, what); !r) return r;
  return tx->commit(what);
}

base::result<std::vector<sku_record>> database::skus(std::int64_t scan_id) {
  return detail::read_skus(*impl_, detail::fact_views, scan_id,
                           fmt::format("read the SKUs of scan {} in '{}'", scan_id, impl_->path));
}

base::result<std::vector<subscription_record>> database::subscriptions(std::int64_t scan_id) {
  return detail::read_subscriptions(*impl_, detail::fact_views, scan_id,
                                    fmt::format("read the subscriptions of scan {} in '{}'", scan_id, impl_->path));
}

}  // namespace storage
