// The group answers a scan reads for its licensing groups' names (docs/graph.md §17): one group, a page of them,
// and the URL of a SKU's groups.
#include "scanner/detail/fetch_groups.hpp"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("a SKU's licensing groups are asked with the filter form-encoded, 999 to a page, ids and names only") {
  CHECK(scanner::licensing_groups_url("c7df2760-2c81-4ef7-b578-5b5392b571df") ==
        "/groups?$filter=assignedLicenses%2Fany%28x%3Ax%2FskuId%20eq%20c7df2760-2c81-4ef7-b578-5b5392b571df%29"
        "&$select=id,displayName&$top=999&$count=true");
}

TEST_CASE("a page of groups gives each group with its id lower-cased, and its nextLink") {
  auto const page = scanner::parse_group_page(
      R"({"@odata.count":2,"@odata.nextLink":"https://graph.example/v1.0/groups?$skiptoken=x",)"
      R"("value":[{"id":"AAAAAAAA-0000-4000-8000-000000000001","displayName":"Sales; EU"},)"
      R"({"id":"aaaaaaaa-0000-4000-8000-000000000002","displayName":"","mail":null}]})");
  REQUIRE(page.has_value());
  REQUIRE(page->groups.size() == 2);
  CHECK(page->groups[0].id == "aaaaaaaa-0000-4000-8000-000000000001");
  CHECK(page->groups[0].display_name == "Sales; EU");
  CHECK(page->groups[1].display_name.empty());
  CHECK(page->next_link == "https://graph.example/v1.0/groups?$skiptoken=x");

  auto const last = scanner::parse_group_page(R"({"value":[]})");
  REQUIRE(last.has_value());
  CHECK(last->groups.empty());
  CHECK(last->next_link.empty());
}

TEST_CASE("a page of groups without a value array, or with a group lacking its id or a string name, is refused") {
  for (std::string body : {R"({"groups":[]})", R"([])", R"({"value":{}})", R"({"value":[{"displayName":"x"}]})",
                           R"({"value":[{"id":"a","displayName":7}]})", R"({"value":[{"id":"a"}]})",
                           R"({"value":["a"]})", R"({"value":[)"}) {
    CAPTURE(body);
    auto const page = scanner::parse_group_page(body);
    REQUIRE_FALSE(page.has_value());
    CHECK(page.error().message.find("group") != std::string::npos);
  }
}
