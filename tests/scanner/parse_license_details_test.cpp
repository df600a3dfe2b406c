#include "scanner/detail/parse_license_details.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

using scanner_test::fixture;

TEST_CASE("the official licenseDetails example gives one row per SKU plan") {
  auto const rows =
      scanner::parse_license_details("48D31887-5FAD-4D73-A9F5-3C356E68A038", fixture("user-licensedetails.json"));
  REQUIRE_OK(rows);
  REQUIRE(rows->size() == 7);
  CHECK((*rows)[0].user_id == "48d31887-5fad-4d73-a9f5-3c356e68a038");
  CHECK((*rows)[0].sku_id == "c7df2760-2c81-4ef7-b578-5b5392b571df");
  CHECK((*rows)[0].service_plan_id == "cd31b152-6326-4d1b-ae1b-997b625182e6");
  CHECK((*rows)[0].service_plan_name == "MIP_S_Exchange");
  CHECK((*rows)[0].provisioning_status == "PendingProvisioning");
  CHECK((*rows)[0].enabled);
  CHECK((*rows)[6].sku_id == "725422ed-e205-400e-ab0a-3899d8a398ca");
}

TEST_CASE("a plan provisioned as Disabled is a disabled plan") {
  auto const rows = scanner::parse_license_details("u", fixture("licenseDetails.cli-microsoft365-fixture.json"));
  REQUIRE_OK(rows);
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].enabled);
  CHECK((*rows)[1].enabled);
  CHECK((*rows)[2].service_plan_name == "AAD_PREMIUM_P2");
  CHECK_FALSE((*rows)[2].enabled);
}

TEST_CASE("a user without licenses has no rows, and broken bodies are rejected") {
  auto const none = scanner::parse_license_details("u", R"({"value": []})");
  REQUIRE_OK(none);
  CHECK(none->empty());
  CHECK_FALSE(scanner::parse_license_details("u", R"({"value": [{"servicePlans": []}]})").has_value());
  CHECK_FALSE(scanner::parse_license_details("u", R"({"value": [)").has_value());
  CHECK_FALSE(scanner::parse_license_details("u", R"({"values": []})").has_value());
}
