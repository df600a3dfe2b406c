// scan --commerce-policies: the PowerShell JSON of Get-MSCommerceProductPolicies as the self-service purchase door
// of each product (docs/graph.md §15).
#include "audit/commerce_policies.hpp"

#include "audit/doors.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::vector<storage::door_record> parsed(std::string const& text) {
  auto r = audit::parse_commerce_policies(text, "policies.json");
  INFO((r ? std::string() : r.error().message));
  REQUIRE(r.has_value());
  return *r;
}

std::string refused(std::string const& text) {
  auto r = audit::parse_commerce_policies(text, "policies.json");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  CHECK(r.error().message.find('\n') == std::string::npos);
  return r.error().message;
}

}  // namespace

TEST_CASE("one policy object, as ConvertTo-Json writes a single product, is one door") {
  auto doors = parsed(
      "\xef\xbb\xbf{\r\n    \"PolicyId\":  \"AllowSelfServicePurchase\",\r\n    \"ProductName\":  \"Power BI Pro\",\r\n"
      "    \"ShortDescription\":  \"\",\r\n    \"ProductId\":  \"CFQ7TTC0H9MP\",\r\n    \"PolicyValue\":  "
      "\"Enabled\"\r\n}");
  REQUIRE(doors.size() == 1);
  CHECK(doors[0].door == "self_service_purchase");
  CHECK(doors[0].product_id == "CFQ7TTC0H9MP");
  CHECK(doors[0].product_name == "Power BI Pro");
  CHECK(doors[0].state == "open");
  CHECK(doors[0].setting == "Enabled");
}

TEST_CASE("an array maps Enabled and OnlyTrialsWithoutPaymentMethod to open and Disabled to closed") {
  auto doors = parsed(
      R"([{"PolicyId":"AllowSelfServicePurchase","ProductName":"Visio Plan 2","ProductId":"CFQ7TTC0HD32","PolicyValue":"Disabled"},
          {"policyid":"allowselfservicepurchase","productname":"Teams Exploratory","productid":"CFQ7TTC0J1FV","policyvalue":"onlytrialswithoutpaymentmethod"},
          {"ProductId":"CFQ7TTC0H9MP","PolicyValue":"Enabled","Nested":{"PolicyValue":"Disabled"}}])");
  REQUIRE(doors.size() == 3);  // ordered by product id
  CHECK(doors[0].product_id == "CFQ7TTC0H9MP");
  CHECK(doors[0].state == "open");
  CHECK(doors[1].product_id == "CFQ7TTC0HD32");
  CHECK(doors[1].state == "closed");
  CHECK(doors[1].setting == "Disabled");
  CHECK(doors[2].product_id == "CFQ7TTC0J1FV");
  CHECK(doors[2].state == "open");
  CHECK(doors[2].setting == "OnlyTrialsWithoutPaymentMethod");
  CHECK(parsed("[]").empty());
}

TEST_CASE("malformed policy JSON names the file and the line of the fault") {
  CHECK(refused("[\n{\"ProductId\": \"A\",\n \"PolicyValue\": \"Enabled\",\n}\n]").find("'policies.json' line 4") !=
        std::string::npos);
  CHECK(
      refused("[\n{\"ProductId\": \"A\",\n \"PolicyValue\": \"Sometimes\"}]").find("line 3: PolicyValue 'Sometimes'") !=
      std::string::npos);
  CHECK(refused("[\n{\"ProductId\": \"A\"}\n]").find("line 2: product A has no PolicyValue") != std::string::npos);
  CHECK(refused("{\"PolicyValue\": \"Enabled\"}").find("line 1: an object has no ProductId") != std::string::npos);
  CHECK(refused("[\n{\"ProductId\": \"A\",\n\"PolicyValue\": 1}]").find("line 3: PolicyValue is the number 1") !=
        std::string::npos);
  CHECK(refused("{\"PolicyId\": \"Other\", \"ProductId\": \"A\", \"PolicyValue\": \"Enabled\"}")
            .find("not AllowSelfServicePurchase") != std::string::npos);
  CHECK(refused("\"Enabled\"").find("neither an object nor an array") != std::string::npos);
  CHECK(refused("[1]").find("not an object") != std::string::npos);
  CHECK(refused("\xff\xfe[\0]").find("UTF-16") != std::string::npos);
}

TEST_CASE("a missing policy file is a usage error naming it") {
  auto r = audit::read_commerce_policies("/nonexistent/policies.json");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("/nonexistent/policies.json") != std::string::npos);
}

TEST_CASE("SKU part numbers map to Microsoft's MSCommerce product ids, ignoring case") {
  CHECK(audit::commerce_product_of("POWER_BI_PRO") == "CFQ7TTC0H9MP");
  CHECK(audit::commerce_product_of("power_bi_pro_dept") == "CFQ7TTC0H9MP");
  CHECK(audit::commerce_product_of("Microsoft_Teams_Exploratory_Dept") == "CFQ7TTC0J1FV");
  CHECK(audit::commerce_product_of("VISIOCLIENT") == "CFQ7TTC0HD32");
  CHECK(audit::commerce_product_of("ENTERPRISEPACK").empty());
  CHECK(audit::commerce_product_name("CFQ7TTC0HDB0") == "Project Plan 3");
  CHECK(audit::commerce_product_name("nope").empty());
}
