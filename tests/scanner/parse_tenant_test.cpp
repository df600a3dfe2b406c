#include "scanner/detail/parse_tenant.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

using scanner_test::fixture;

TEST_CASE("the organization list gives the home tenant id lower-cased and its name") {
  auto const org = scanner::parse_organization(fixture("organization.handmade.json"));
  REQUIRE_OK(org);
  CHECK(org->tenant_id == "84da47f7-0000-4000-8000-0000000000aa");
  CHECK(org->display_name == "Contoso");
}

TEST_CASE("an empty organization list is an error that says what to check") {
  auto const org = scanner::parse_organization(R"({"value": []})");
  REQUIRE_FALSE(org.has_value());
  CHECK(org.error().message.find("empty") != std::string::npos);
}

TEST_CASE("the official subscribedSkus example parses every field") {
  auto const page = scanner::parse_subscribed_skus(fixture("subscribedskus.json"));
  REQUIRE_OK(page);
  REQUIRE(page->skus.size() == 2);
  auto const& e5 = page->skus[0];
  CHECK(e5.id == "48a80680-7326-48cd-9935-b556b81d3a4e_c7df2760-2c81-4ef7-b578-5b5392b571df");
  CHECK(e5.sku_id == "c7df2760-2c81-4ef7-b578-5b5392b571df");
  CHECK(e5.sku_part_number == "ENTERPRISEPREMIUM");
  CHECK(e5.account_id == "f97aeefc-af85-414d-8ae4-b457f90efc40");
  CHECK(e5.account_name == "Sample account One");
  CHECK(e5.applies_to == "User");
  CHECK(e5.capability_status == "Enabled");
  CHECK(e5.consumed_units == 14);
  CHECK(e5.prepaid_enabled == 25);
  REQUIRE(e5.subscription_ids.size() == 1);
  CHECK(e5.subscription_ids[0] == "43d26afe-cb98-48b9-acc4-ae3ef2ac6c51");
  REQUIRE(e5.service_plans.size() == 1);
  CHECK(e5.service_plans[0].service_plan_id == "8c098270-9dd4-4350-9b30-ba4703f3b36b");
  CHECK(e5.service_plans[0].service_plan_name == "ADALLOM_S_O365");
  CHECK(e5.service_plans[0].provisioning_status == "Success");
  CHECK(e5.service_plans[0].applies_to == "Company");
  auto const& crm = page->skus[1];
  CHECK(crm.capability_status == "Suspended");
  CHECK(crm.prepaid_enabled == 0);
  CHECK(crm.prepaid_suspended == 25);
  CHECK(page->next_link.empty());
}

TEST_CASE("a live subscribedSkus capture parses with the unknown servicePlanType ignored") {
  auto const page = scanner::parse_subscribed_skus(fixture("subscribedSkus.live-capture.graph2otel.json"));
  REQUIRE_OK(page);
  REQUIRE(page->skus.size() == 5);
  bool saw_flow_free = false;
  for (auto const& sku : page->skus) {
    CHECK(sku.id == sku.account_id + "_" + sku.sku_id);
    CHECK(sku.service_plans.size() == 1);
    if (sku.sku_part_number == "FLOW_FREE") {
      saw_flow_free = true;
      CHECK(sku.sku_id == "f30db892-07e9-47e9-837c-80727f46fd3d");
      CHECK(sku.prepaid_enabled == 10000);
      CHECK(sku.consumed_units == 2);
    }
  }
  CHECK(saw_flow_free);
}

TEST_CASE("the official directory subscriptions example keeps its owner fields") {
  auto const page = scanner::parse_subscriptions(fixture("directory-subscriptions.json"));
  REQUIRE_OK(page);
  REQUIRE(page->subscriptions.size() == 1);
  auto const& sub = page->subscriptions[0];
  CHECK(sub.id == "860697e3-b0aa-4196-a6c6-7ec361ed58f7");
  CHECK(sub.commerce_subscription_id == "f9c1ea2d-2c6e-4717-8c3b-7130812d70ba");
  CHECK(sub.sku_id == "0816ccb9-3785-4d19-bf78-6c53e2106509");
  CHECK(sub.sku_part_number == "MyPartNumber");
  CHECK(sub.status == "Enabled");
  CHECK(sub.is_trial == false);
  CHECK(sub.total_licenses == 25);
  CHECK(sub.created_date_time == "2023-01-01T00:00:00Z");
  CHECK(sub.next_lifecycle_date_time == "2023-02-01T00:00:00Z");
  CHECK(sub.owner_id == "fe04f19f-d924-42b7-9dee-edf4e3fab7f6");
  CHECK(sub.owner_tenant_id == "331af819-4e0b-49f7-a6bf-14e1165ad3a0");
  CHECK(sub.owner_type == "User");
}

TEST_CASE("null owner fields of an admin trial stay unknown, and a nextLink is kept") {
  auto const page = scanner::parse_subscriptions(
      R"({"@odata.nextLink": "https://graph.microsoft.com/v1.0/directory/subscriptions?$skiptoken=x",
          "value": [{"id": "A", "skuId": "B", "isTrial": true, "ownerId": null, "ownerTenantId": null,
                     "ownerType": null, "totalLicenses": null, "ocpSubscriptionId": "z"}]})");
  REQUIRE_OK(page);
  REQUIRE(page->subscriptions.size() == 1);
  auto const& sub = page->subscriptions[0];
  CHECK(sub.id == "a");
  CHECK(sub.sku_id == "b");
  CHECK(sub.is_trial == true);
  CHECK_FALSE(sub.owner_id.has_value());
  CHECK_FALSE(sub.owner_tenant_id.has_value());
  CHECK_FALSE(sub.owner_type.has_value());
  CHECK_FALSE(sub.total_licenses.has_value());
  CHECK(page->next_link == "https://graph.microsoft.com/v1.0/directory/subscriptions?$skiptoken=x");
}

TEST_CASE("tenant fact bodies that are not collections are rejected") {
  CHECK_FALSE(scanner::parse_subscribed_skus("not json").has_value());
  CHECK_FALSE(scanner::parse_subscribed_skus(R"({"value": [{"skuPartNumber": "X"}]})").has_value());
  CHECK_FALSE(scanner::parse_subscriptions(R"({"value": [{"skuId": "x"}]})").has_value());
  CHECK_FALSE(scanner::parse_subscriptions(R"({"value": {}})").has_value());
  CHECK_FALSE(scanner::parse_organization(R"({"value": [{"displayName": "no id"}]})").has_value());
  auto const truncated = scanner::parse_subscribed_skus(R"({"value": [{"skuId": "x")");
  REQUIRE_FALSE(truncated.has_value());
  CHECK(truncated.error().message.find("cannot parse subscribedSkus") != std::string::npos);
}
