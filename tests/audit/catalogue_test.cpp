#include "audit/detail/catalogue.hpp"

#include "data/embedded.hpp"

#include <doctest/doctest.h>

namespace {

constexpr std::string_view header =
    "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names\n";

audit::catalogue parse(std::string_view rows) {
  return audit::catalogue::parse(std::string(header) + std::string(rows)).value();
}

}  // namespace

TEST_CASE("a quoted product name keeps its comma") {
  auto cat = parse(
      "\"Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization\",CRM_AUTO_ROUTING_ADDON,"
      "977464c4-bfaf-4b67-b761-a9bb735a2196,CRM_AUTO_ROUTING_ENGINE_ADDON,24435e4b-87d0-4d7d-8beb-63a9b1573022,x\n");
  const auto* sku = cat.find("977464c4-bfaf-4b67-b761-a9bb735a2196");
  REQUIRE(sku);
  CHECK(sku->product_name == "Dynamics 365 Field Service, Enterprise Edition - Resource Scheduling Optimization");
  CHECK(sku->part_number == "CRM_AUTO_ROUTING_ADDON");
}

TEST_CASE("trailing space, tab and NBSP around keys are trimmed and GUIDs are lower-cased") {
  auto cat = parse(
      "Name A,AAD_PREMIUM_USGOV_GCCHIGH "
      ",AAAAAAAA-0000-0000-0000-000000000001,P,11111111-0000-0000-0000-000000000001,F\n"
      "Name B,RIGHTSMANAGEMENT_CE_GOV\t,bbbbbbbb-0000-0000-0000-000000000002,P,11111111-0000-0000-0000-000000000001,F\n"
      "Name "
      "C,MCOCAP_FACULTY\xC2\xA0,420c7602-7f70-4895-9394-d3d679ea36fb\xC2\xA0,P,11111111-0000-0000-0000-000000000001,"
      "F\n");
  REQUIRE(cat.find("aaaaaaaa-0000-0000-0000-000000000001"));
  CHECK(cat.find("aaaaaaaa-0000-0000-0000-000000000001")->sku_id == "aaaaaaaa-0000-0000-0000-000000000001");
  CHECK(cat.find("aaaaaaaa-0000-0000-0000-000000000001")->part_number == "AAD_PREMIUM_USGOV_GCCHIGH");
  CHECK(cat.find("bbbbbbbb-0000-0000-0000-000000000002")->part_number == "RIGHTSMANAGEMENT_CE_GOV");
  REQUIRE(cat.find("420c7602-7f70-4895-9394-d3d679ea36fb"));
  CHECK(cat.find("420C7602-7F70-4895-9394-D3D679EA36FB")->part_number == "MCOCAP_FACULTY");
}

TEST_CASE("duplicate rows add no second SKU and no second plan") {
  std::string row = "Name,PART,aaaaaaaa-0000-0000-0000-000000000001,PLAN,11111111-0000-0000-0000-000000000001,Plan\n";
  auto cat = parse(row + row + row);
  CHECK(cat.skus().size() == 1);
  CHECK(cat.skus()[0].plans.size() == 1);
}

TEST_CASE("part numbers are looked up ignoring case and one part number may have two GUIDs") {
  auto cat = parse(
      "Teams,Microsoft_Teams_Exploratory_Dept,e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8,P,11111111-0000-0000-0000-"
      "000000000001,F\n"
      "Calling A,MCOPSTN5,d43177b5-475b-4880-92d4-d54c27b5efbd,P,11111111-0000-0000-0000-000000000001,F\n"
      "Calling B,MCOPSTN5,54a152dc-90de-4996-93d2-bc47e670fc06,P,11111111-0000-0000-0000-000000000001,F\n");
  CHECK(cat.sku_ids_of_part_number("MICROSOFT_TEAMS_EXPLORATORY_DEPT") ==
        std::vector<std::string>{"e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8"});
  CHECK(cat.sku_ids_of_part_number("mcopstn5") ==
        std::vector<std::string>{"54a152dc-90de-4996-93d2-bc47e670fc06", "d43177b5-475b-4880-92d4-d54c27b5efbd"});
  CHECK(cat.sku_ids_of_part_number("NOPE").empty());
}

TEST_CASE("a BOM, CRLF line ends and an old 'String_ Id' header are accepted") {
  auto cat = audit::catalogue::parse(
                 "\xEF\xBB\xBFProduct_Display_Name,String_ Id,GUID,Service_Plan_Name,Service_Plan_Id,"
                 "Service_Plans_Included_Friendly_Names\r\n"
                 "Name,PART,aaaaaaaa-0000-0000-0000-000000000001,PLAN,11111111-0000-0000-0000-000000000001,Plan\r\n")
                 .value();
  REQUIRE(cat.find("aaaaaaaa-0000-0000-0000-000000000001"));
  CHECK(cat.find("aaaaaaaa-0000-0000-0000-000000000001")->part_number == "PART");
  CHECK(cat.find("aaaaaaaa-0000-0000-0000-000000000001")->plans.at(0).friendly_name == "Plan");
}

TEST_CASE("a catalogue without a GUID column is a usage error") {
  auto cat = audit::catalogue::parse("Product_Display_Name,String_Id\nx,y\n");
  REQUIRE_FALSE(cat.has_value());
  CHECK(cat.error().code == base::exit_code::usage);
}

TEST_CASE("the embedded catalogue names 606b54a9-78d8-4298-ad8b-df6ef4481c80 by its first row") {
  const auto& cat = audit::embedded_catalogue();
  const auto* sku = cat.find("606b54a9-78d8-4298-ad8b-df6ef4481c80");
  REQUIRE(sku);
  CHECK(sku->product_name == "Microsoft Copilot Studio Viral Trial");
  CHECK(sku->part_number == "CCIBOTS_PRIVPREV_VIRAL");
  CHECK(sku->plans.size() == 3);  // listed twice, once per product name
}

TEST_CASE("the embedded catalogue holds every GUID of Microsoft's file, keys trimmed") {
  const auto& cat = audit::embedded_catalogue();
  CHECK(cat.skus().size() == 617);
  REQUIRE(cat.find("420c7602-7f70-4895-9394-d3d679ea36fb"));  // written with a trailing NBSP in the file
  for (const auto& sku : cat.skus()) {
    CHECK(audit::trim(sku.part_number) == sku.part_number);
    CHECK(audit::is_guid(sku.sku_id));
  }
  CHECK(cat.sku_ids_of_part_number("aad_premium_usgov_gcchigh").size() == 1);
}

TEST_CASE("the embedded sign-up list parses and every entry is a lower-case GUID") {
  const auto& list = audit::embedded_signup_list();
  CHECK(list.size() >= 12);
  bool has_exploratory = false;
  for (const auto& s : list) {
    CHECK(audit::is_guid(s.sku_id));
    CHECK(audit::to_lower(s.sku_id) == s.sku_id);
    has_exploratory = has_exploratory || s.sku_id == "e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8";
  }
  CHECK(has_exploratory);
}

TEST_CASE("a sign-up list row with a bad GUID is a usage error naming its line") {
  auto list = audit::parse_signup_list("sku_id,sku_part_number,kind,source\nnot-a-guid,X,viral,here\n");
  REQUIRE_FALSE(list.has_value());
  CHECK(list.error().message == "sign-up SKU list line 2: 'not-a-guid' is not a skuId GUID");
}
