// The tenant's SKUs and subscriptions of a snapshot: written whole, read whole (they are small).
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/rows.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace storage {
namespace {

using detail::statement;

constexpr std::string_view fact_tables[] = {"sku_service_plans", "sku_subscription_ids", "skus", "subscriptions"};

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

}  // namespace detail

base::result<void> database::write_tenant_facts(std::int64_t scan_id, std::span<const sku_record> skus,
                                                std::span<const subscription_record> subscriptions) {
  std::string const what = fmt::format("store the SKUs and subscriptions of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto ins_sku = d.prepared(schema::insert_sql(schema::table_named("skus"), schema::on_conflict::replace), what);
  auto ins_plan =
      d.prepared(schema::insert_sql(schema::table_named("sku_service_plans"), schema::on_conflict::replace), what);
  auto ins_sub_id =
      d.prepared(schema::insert_sql(schema::table_named("sku_subscription_ids"), schema::on_conflict::replace), what);
  auto ins_sub =
      d.prepared(schema::insert_sql(schema::table_named("subscriptions"), schema::on_conflict::replace), what);
  for (auto* r : {&ins_sku, &ins_plan, &ins_sub_id, &ins_sub})
    if (!*r) return r->error();

  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();

  if (auto running = detail::require_running(d, scan_id, what); !running) return running;
  int rc = SQLITE_OK;

  // Replacing, not merging: a resumed scan reads /subscribedSkus again and must not keep SKUs that went away.
  for (auto table : fact_tables) {
    auto del = d.prepared(fmt::format("DELETE FROM {} WHERE scan_id = ?1", table), what);
    if (!del) return del.error();
    (*del)->bind_int(1, scan_id);
    if (rc = (*del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }

  for (const auto& sku : skus) {
    detail::bind_sku(**ins_sku, scan_id, sku);
    if (rc = (*ins_sku)->run(); rc != SQLITE_OK) return d.failure(rc, what);
    std::int64_t position = 0;
    for (const auto& p : sku.service_plans) {
      statement& s = **ins_plan;
      s.bind_int(1, scan_id);
      s.bind_text(2, sku.id);
      s.bind_int(3, position++);
      s.bind_text(4, sku.sku_id);
      s.bind_text(5, p.service_plan_id);
      s.bind_text(6, p.service_plan_name);
      s.bind_text(7, p.provisioning_status);
      s.bind_text(8, p.applies_to);
      if (rc = s.run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
    position = 0;
    for (const auto& id : sku.subscription_ids) {
      statement& s = **ins_sub_id;
      s.bind_int(1, scan_id);
      s.bind_text(2, sku.id);
      s.bind_int(3, position++);
      s.bind_text(4, sku.sku_id);
      s.bind_text(5, id);
      if (rc = s.run(); rc != SQLITE_OK) return d.failure(rc, what);
    }
  }
  for (const auto& sub : subscriptions) {
    detail::bind_subscription(**ins_sub, scan_id, sub);
    if (rc = (*ins_sub)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return tx->commit(what);
}

base::result<std::vector<sku_record>> database::skus(std::int64_t scan_id) {
  std::string const what = fmt::format("read the SKUs of scan {} in '{}'", scan_id, impl_->path);
  auto& d = *impl_;
  auto s = d.prepared(schema::select_sql(schema::table_named("skus")) + " WHERE scan_id = ?1 ORDER BY id", what);
  auto plans = d.prepared(
      "SELECT sku_key, service_plan_id, service_plan_name, provisioning_status, applies_to FROM sku_service_plans "
      "WHERE scan_id = ?1 ORDER BY sku_key, position",
      what);
  auto ids = d.prepared(
      "SELECT sku_key, subscription_id FROM sku_subscription_ids WHERE scan_id = ?1 ORDER BY sku_key, position", what);
  for (auto* r : {&s, &plans, &ids})
    if (!*r) return r->error();

  // Three cursors in sku id order, merged: the child lists of each SKU are the rows with its key.
  detail::reset_on_exit g1(**s), g2(**plans), g3(**ids);
  for (auto* r : {&s, &plans, &ids}) (**r)->bind_int(1, scan_id);
  std::vector<sku_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(detail::read_sku(**s));
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

base::result<std::vector<subscription_record>> database::subscriptions(std::int64_t scan_id) {
  std::string const what = fmt::format("read the subscriptions of scan {} in '{}'", scan_id, impl_->path);
  auto s = impl_->prepared(schema::select_sql(schema::table_named("subscriptions")) + " WHERE scan_id = ?1 ORDER BY id",
                           what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  (*s)->bind_int(1, scan_id);
  std::vector<subscription_record> out;
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) out.push_back(detail::read_subscription(**s));
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return out;
}

}  // namespace storage
