#include "scanner/derived_plans.hpp"

#include "fixtures.hpp"
#include "scanner/parse_tenant.hpp"
#include "scanner/parse_users.hpp"

#include <doctest/doctest.h>

namespace {
storage::sku_record sku(std::string id, std::vector<std::pair<std::string, std::string>> plans) {
  storage::sku_record s;
  s.sku_id = std::move(id);
  for (auto& [plan, status] : plans) s.service_plans.push_back({plan, plan + "_NAME", status, "User"});
  return s;
}
}  // namespace

TEST_CASE("a license gets one row per plan of its SKU, disabled plans marked Disabled and not enabled") {
  std::vector<storage::sku_record> const skus{sku("s1", {{"p1", "Success"}, {"p2", "PendingProvisioning"}})};
  scanner::sku_plan_index const index(skus);
  std::vector<storage::license_plan_record> rows;
  index.derive({"u1", "s1", {"p2"}}, rows);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].user_id == "u1");
  CHECK(rows[0].sku_id == "s1");
  CHECK(rows[0].service_plan_id == "p1");
  CHECK(rows[0].service_plan_name == "p1_NAME");
  CHECK(rows[0].provisioning_status == "Success");
  CHECK(rows[0].enabled);
  CHECK(rows[1].service_plan_id == "p2");
  CHECK(rows[1].provisioning_status == "Disabled");
  CHECK_FALSE(rows[1].enabled);
}

TEST_CASE("a SKU missing from subscribedSkus derives no rows") {
  scanner::sku_plan_index const index(std::vector<storage::sku_record>{});
  std::vector<storage::license_plan_record> rows;
  index.derive({"u1", "unknown", {}}, rows);
  CHECK(rows.empty());
}

TEST_CASE("a skuId under two accounts derives the union of their plans once each") {
  std::vector<storage::sku_record> const skus{sku("s1", {{"p1", "Success"}}),
                                              sku("s1", {{"p1", "Success"}, {"p3", "Success"}})};
  scanner::sku_plan_index const index(skus);
  std::vector<storage::license_plan_record> rows;
  index.derive({"u1", "s1", {}}, rows);
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].service_plan_id == "p3");
}

TEST_CASE("a parsed page derives its plans from the parsed SKUs, matching GUIDs in any case") {
  auto skus = scanner::parse_subscribed_skus(scanner_test::fixture("subscribedskus.json"));
  REQUIRE_OK(skus);
  auto users = scanner::parse_user_page(scanner_test::fixture("users-licenses.handmade.json"));
  REQUIRE_OK(users);
  scanner::sku_plan_index const index(skus->skus);
  index.derive_page(users->page);
  // Adams holds ENTERPRISEPREMIUM (one plan, disabled for him); FLOW_FREE is not in this SKU list.
  REQUIRE(users->page.plans.size() == 1);
  CHECK(users->page.plans[0].user_id == "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0");
  CHECK(users->page.plans[0].service_plan_id == "8c098270-9dd4-4350-9b30-ba4703f3b36b");
  CHECK_FALSE(users->page.plans[0].enabled);
}
