// A tenant's SKUs and subscriptions: each distinct row stored once, each snapshot reading back exactly what it was
// given (docs/schema.md "Versions").
#include "sample.hpp"
#include "sql_rows.hpp"
#include "storage/database.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace storage_test;

namespace {

storage::sku_record sku(int n, std::int64_t consumed) {
  storage::sku_record s;
  s.id = "acct_" + guid(1000 + n);
  s.sku_id = guid(1000 + n);
  s.sku_part_number = "SKU" + std::to_string(n);
  s.account_id = "acct";
  s.account_name = "Contoso";
  s.applies_to = "User";
  s.capability_status = "Enabled";
  s.consumed_units = consumed;
  s.prepaid_enabled = 100;
  s.subscription_ids = {guid(20 + n)};
  for (int p = 0; p < 30; ++p)
    s.service_plans.push_back({guid(3000 + p), "PLAN" + std::to_string(p), "Success", "User"});
  return s;
}

storage::subscription_record subscription(int n, std::string status) {
  return {guid(20 + n),
          "commerce" + std::to_string(n),
          guid(1000 + n),
          "SKU" + std::to_string(n),
          std::move(status),
          n == 1 ? std::optional<bool>(true) : std::nullopt,
          25,
          "2024-01-01T00:00:00Z",
          "2025-01-01T00:00:00Z",
          n == 1 ? std::optional<std::string>(guid(1)) : std::nullopt,
          std::nullopt,
          n == 1 ? std::optional<std::string>("User") : std::nullopt};
}

struct facts {
  std::vector<storage::sku_record> skus;
  std::vector<storage::subscription_record> subscriptions;
};

// The facts of one night: two SKUs (the second's consumed_units given), two subscriptions (the first's status).
facts night(std::int64_t consumed, std::string status = "Enabled") {
  return {{sku(1, 7), sku(2, consumed)}, {subscription(1, std::move(status)), subscription(2, "Enabled")}};
}

std::int64_t complete_with(storage::database& db, const facts& f) {
  const auto id = ok(db.begin_scan(start()));
  ok(db.set_tenant(id, {guid(9999), "Contoso"}));
  ok(db.write_tenant_facts(id, f.skus, f.subscriptions));
  ok(db.write_user_page(id, page(1, 2), "", {1, 0}));
  ok(db.finish_scan(id, storage::scan_status::complete, {2, 0}));
  return id;
}

void check_reads(storage::database& db, std::int64_t id, const facts& f) {
  CAPTURE(id);
  CHECK(ok(db.skus(id)) == f.skus);  // written in id order, so read back in the same order
  CHECK(ok(db.subscriptions(id)) == f.subscriptions);
}

long long count(const std::filesystem::path& p, const std::string& sql) { return std::stoll(rows(p, sql).at(0)); }

}  // namespace

TEST_CASE("SKUs and subscriptions that did not change are stored once however many snapshots hold them") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto const f = night(5);
  std::vector<std::int64_t> ids;
  for (int n = 0; n < 3; ++n) ids.push_back(complete_with(db, f));
  for (auto id : ids) check_reads(db, id, f);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_lists") == 1);  // both SKUs have the same plans
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_list_items") == 30);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM subscription_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM snapshot_skus") == 6);
  // The views read as the per-snapshot tables of schema version 5 did.
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_service_plans") == 3 * 2 * 30);
  CHECK(rows(dir / "a.db",
             "SELECT sku_key, position, sku_id, subscription_id FROM sku_subscription_ids WHERE scan_id = 2 ORDER BY "
             "sku_key") == std::vector<std::string>{"acct_" + guid(1001) + "|0|" + guid(1001) + "|" + guid(21),
                                                    "acct_" + guid(1002) + "|0|" + guid(1002) + "|" + guid(22)});
  CHECK(count(dir / "a.db", "SELECT count(*) FROM latest_subscriptions WHERE owner_type = 'User'") == 1);
}

TEST_CASE("a SKU whose counters changed is stored again without its service plans") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto const first = night(5);
  auto const second = night(6, "Warning");
  auto const a = complete_with(db, first);
  auto const b = complete_with(db, second);
  check_reads(db, a, first);
  check_reads(db, b, second);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 3);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_lists") == 1);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM subscription_versions") == 3);
  CHECK(rows(dir / "a.db", "SELECT consumed_units FROM latest_skus ORDER BY id") == std::vector<std::string>{"7", "6"});
}

TEST_CASE("a SKU or subscription id given twice in one snapshot is stored once, the last one winning") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  facts f = night(5);
  f.skus.insert(f.skus.begin(), sku(2, 99));
  f.subscriptions.insert(f.subscriptions.begin(), subscription(1, "Deleted"));
  auto const id = complete_with(db, f);
  check_reads(db, id, night(5));
}

TEST_CASE("a resumed scan's facts replace the ones it stored before, leaving no row that no snapshot holds") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  auto const kept = complete_with(db, night(5));
  auto const id = ok(db.begin_scan(start()));
  auto const before = night(6, "Warning");
  ok(db.write_tenant_facts(id, before.skus, before.subscriptions));
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 3);
  facts after = night(8);
  after.skus.pop_back();
  after.skus.front().service_plans.pop_back();
  ok(db.write_tenant_facts(id, after.skus, after.subscriptions));
  check_reads(db, id, after);
  check_reads(db, kept, night(5));
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 3);  // kept's two and after's one
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_lists") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM subscription_versions") == 2);
}

TEST_CASE("pruning drops the SKU and subscription rows no kept snapshot holds") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  facts last;
  for (int n = 0; n < 4; ++n) {
    last = night(10 + n, n % 2 == 0 ? "Enabled" : "Warning");
    if (n == 3) last.skus.back().service_plans.pop_back();
    complete_with(db, last);
  }
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 5);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_lists") == 2);
  CHECK(ok(db.prune(guid(9999), 1)) == 3);
  check_reads(db, 4, last);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_lists") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_plan_list_items") == 30 + 29);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_version_subscription_ids") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM subscription_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM snapshot_subscriptions") == 2);
}

TEST_CASE("SKU and subscription text of any bytes reads back as written and is still stored once") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  facts f = night(5);
  std::string const odd[] = {"a\"b\\c", std::string("x\0y", 3), "\x01\x1f", "caf\xc3\xa9", "\xff\xfe", "[\"]", ""};
  f.skus[0].subscription_ids.assign(std::begin(odd), std::end(odd));
  f.skus[0].account_name = std::string("Con\0toso\n", 9);
  f.skus[1].service_plans[0].service_plan_name = "\xff" + std::string(1, '\0') + "\"";
  f.subscriptions[0].owner_type = std::string("U\0ser", 5);
  auto const a = complete_with(db, f);
  auto const b = complete_with(db, f);
  check_reads(db, a, f);
  check_reads(db, b, f);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM subscription_versions") == 2);
  CHECK(count(dir / "a.db", "SELECT count(*) FROM sku_subscription_ids WHERE scan_id = " + std::to_string(b)) ==
        static_cast<long long>(std::size(odd)) + 1);
}
