#include "graphsim/detail/sku_catalogue.hpp"

#include <doctest/doctest.h>

TEST_CASE("the catalogue parser survives quoting, NBSP, tabs, trailing spaces, duplicates, BOM and CRLF") {
  const std::string csv =
      "\xef\xbb\xbfProduct_Display_Name,String_ Id,GUID,Service_Plan_Name,Service_Plan_Id,Friendly\r\n"
      "\"Dynamics 365, \"\"Quoted\"\" Edition\",DYN_Q ,977464C4-BFAF-4B67-B761-A9BB735A2196,PLAN_A,"
      "24435e4b-87d0-4d7d-8beb-63a9b1573022,\"A, b\"\r\n"
      "\"Dynamics 365, \"\"Quoted\"\" Edition\",DYN_Q ,977464C4-BFAF-4B67-B761-A9BB735A2196,PLAN_A,"
      "24435e4b-87d0-4d7d-8beb-63a9b1573022,\"A, b\"\r\n"
      "Renamed product,DYN_Q,977464c4-bfaf-4b67-b761-a9bb735a2196,PLAN_B\t,"
      "11111111-2222-4333-8444-555555555555,B\r\n"
      "Caps Faculty,MCOCAP_FACULTY\xc2\xa0,420c7602-7f70-4895-9394-d3d679ea36fb\xc2\xa0,MCOEV,"
      "4828c8ec-dc2e-4779-b502-87ac9ce28ab7,\"multi\nline\"\r\n"
      "Tabbed,RIGHTSMANAGEMENT_CE_GOV\t,22222222-3333-4444-8555-666666666666,X,"
      "33333333-4444-4555-8666-777777777777,x\r\n"
      "broken row without guid,NOPE,not-a-guid,X,Y,Z\r\n";
  const auto cat = graphsim::sku_catalogue::parse(csv);
  CHECK(cat.size() == 3);
  const auto* q = cat.find_by_id("977464c4-bfaf-4b67-b761-a9bb735a2196");
  REQUIRE(q);
  CHECK(q->part_number == "DYN_Q");
  CHECK(q->product_name == "Dynamics 365, \"Quoted\" Edition");  // the first row's name wins
  REQUIRE(q->plans.size() == 2);                                 // duplicates merged
  CHECK(q->plans[1].name == "PLAN_B");
  const auto* caps = cat.find_by_id("420C7602-7F70-4895-9394-D3D679EA36FB");
  REQUIRE(caps);
  CHECK(caps->part_number == "MCOCAP_FACULTY");
  CHECK(cat.find_by_part_number("mcocap_faculty") == caps);
  CHECK(cat.find_by_part_number("rightsmanagement_ce_gov"));
  CHECK_FALSE(cat.find_by_part_number("NOPE"));
}

TEST_CASE("the embedded catalogue knows the tenant's SKUs and their real plans") {
  const auto& cat = graphsim::sku_catalogue::embedded();
  CHECK(cat.size() > 500);
  for (const char* part :
       {"ENTERPRISEPACK", "SPE_E5", "EMSPREMIUM", "POWER_BI_PRO", "VISIOCLIENT", "PROJECTPROFESSIONAL", "FLOW_FREE",
        "POWER_BI_STANDARD", "STANDARDPACK", "EXCHANGEDESKLESS"}) {
    CAPTURE(part);
    const auto* sku = cat.find_by_part_number(part);
    REQUIRE(sku);
    CHECK_FALSE(sku->plans.empty());
  }
  const auto* exploratory = cat.find_by_part_number("MICROSOFT_TEAMS_EXPLORATORY_DEPT");
  REQUIRE(exploratory);
  CHECK(exploratory->sku_id == "e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8");
  CHECK(exploratory->part_number == "Microsoft_Teams_Exploratory_Dept");
  // The tenant's two invented SKUs must stay unknown to the catalogue.
  CHECK_FALSE(cat.find_by_id("5a1e9c3b-0d4f-4e8a-9b61-7c2f0e4d8a13"));
  CHECK_FALSE(cat.find_by_id("b7e2d4f6-1a3c-4b5d-8e9f-0a1b2c3d4e5f"));
  // Trailing NBSP inside a GUID cell of the real file.
  CHECK(cat.find_by_id("420c7602-7f70-4895-9394-d3d679ea36fb"));
}

TEST_CASE("the sign-up SKU list has the viral and trial SKUs") {
  const auto& ids = graphsim::embedded_signup_skus();
  CHECK(ids.contains("f30db892-07e9-47e9-837c-80727f46fd3d"));
  CHECK(ids.contains("a403ebcc-fae0-4ca2-8c8c-7a907fd6c235"));
  CHECK(ids.contains("e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8"));
  CHECK_FALSE(ids.contains("6fd2c87f-b296-42f0-b197-1e91e994b900"));
}
