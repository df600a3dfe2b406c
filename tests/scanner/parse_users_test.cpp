#include "scanner/detail/parse_users.hpp"

#include "fixtures.hpp"

#include <doctest/doctest.h>

using scanner_test::fixture;

TEST_CASE("the official list-users example parses into two users without licenses") {
  auto const parsed = scanner::parse_user_page(fixture("list-users.json"));
  REQUIRE_OK(parsed);
  REQUIRE(parsed->page.users.size() == 2);
  CHECK(parsed->page.users[0].id == "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0");
  CHECK(parsed->page.users[0].user_principal_name == "Adams@contoso.com");
  CHECK(parsed->page.users[1].mail.empty());  // null
  CHECK(parsed->page.licenses.empty());
  CHECK(parsed->next_link.empty());
  CHECK(parsed->licensed_users == 0);
}

TEST_CASE("the Graph Explorer sandbox's 32 users parse with their unknown default properties ignored") {
  auto const parsed = scanner::parse_user_page(fixture("users.graph-explorer-sandbox.json"));
  REQUIRE_OK(parsed);
  CHECK(parsed->page.users.size() == 32);
  for (auto const& user : parsed->page.users) {
    CHECK(user.id.size() == 36);
    CHECK_FALSE(user.account_enabled.has_value());  // not selected, so absent
  }
}

TEST_CASE("assigned licenses and assignment states are read with GUIDs lower-cased") {
  auto const parsed = scanner::parse_user_page(fixture("users-licenses.handmade.json"));
  REQUIRE_OK(parsed);
  auto const& page = parsed->page;
  REQUIRE(page.users.size() == 3);
  CHECK(parsed->licensed_users == 2);
  CHECK(parsed->next_link ==
        "https://graph.microsoft.com/v1.0/users?$select=id,userPrincipalName&$top=999&$skiptoken=RFNwdAIAAQAAAB8");

  auto const& adams = page.users[0];
  CHECK(adams.id == "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0");
  CHECK(adams.account_enabled == true);
  CHECK_FALSE(adams.on_premises_sync_enabled.has_value());
  CHECK(adams.department.empty());
  CHECK(adams.usage_location == "US");

  REQUIRE(page.licenses.size() == 2);
  CHECK(page.licenses[0].user_id == adams.id);
  CHECK(page.licenses[0].sku_id == "c7df2760-2c81-4ef7-b578-5b5392b571df");
  REQUIRE(page.licenses[0].disabled_plans.size() == 1);
  CHECK(page.licenses[0].disabled_plans[0] == "8c098270-9dd4-4350-9b30-ba4703f3b36b");
  CHECK(page.licenses[1].sku_id == "f30db892-07e9-47e9-837c-80727f46fd3d");
  CHECK(page.licenses[1].disabled_plans.empty());
}

TEST_CASE("a direct and a group assignment of one SKU give two states, and error None or null means no error") {
  auto const parsed = scanner::parse_user_page(fixture("users-licenses.handmade.json"));
  REQUIRE_OK(parsed);
  auto const& states = parsed->page.states;
  REQUIRE(states.size() == 3);
  CHECK_FALSE(states[0].assigned_by_group.has_value());
  CHECK(states[0].error.empty());
  CHECK(states[0].state == "Active");
  CHECK(states[1].assigned_by_group == "1a2b3c4d-0000-4000-8000-00000000abcd");
  CHECK(states[1].error.empty());
  CHECK(states[1].disabled_plans.empty());
  CHECK(states[2].sku_id == "f30db892-07e9-47e9-837c-80727f46fd3d");
  CHECK(states[2].error == "CountViolation");
  CHECK(states[2].state == "ActiveWithError");
}

TEST_CASE("hostile display names survive parsing byte for byte") {
  auto const parsed = scanner::parse_user_page(fixture("users-licenses.handmade.json"));
  REQUIRE_OK(parsed);
  CHECK(parsed->page.users[1].display_name == "=HYPERLINK(\"http://x\") \xc3\xa9t\xc3\xa9");
  CHECK(parsed->page.users[1].creation_type == "EmailVerified");
  CHECK(parsed->page.users[1].account_enabled == false);
  CHECK(parsed->page.users[1].on_premises_sync_enabled == true);
}

TEST_CASE("an empty last page parses as no users and no next link") {
  auto const parsed = scanner::parse_user_page(fixture("users-empty-last-page.handmade.json"));
  REQUIRE_OK(parsed);
  CHECK(parsed->page.users.empty());
  CHECK(parsed->next_link.empty());
}

TEST_CASE("the first page of a $count query reports the total") {
  auto const parsed = scanner::parse_user_page(R"({"@odata.count": 3000, "value": []})");
  REQUIRE_OK(parsed);
  CHECK(parsed->count == 3000);
}

TEST_CASE("a truncated users page is rejected with where it broke") {
  auto const body = fixture("users-licenses.handmade.json");
  auto const parsed = scanner::parse_user_page(std::string_view(body).substr(0, body.size() / 2));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message.find("cannot parse users page") != std::string::npos);
  CHECK(parsed.error().message.find("offset") != std::string::npos);
}

TEST_CASE("garbage, empty and non-object bodies are rejected with a clear message") {
  auto const garbage = scanner::parse_user_page("<html>502 Bad Gateway</html>");
  REQUIRE_FALSE(garbage.has_value());
  CHECK(garbage.error().message.find("cannot parse users page") != std::string::npos);
  auto const empty = scanner::parse_user_page("");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message == "cannot parse users page: the body is empty");
  CHECK_FALSE(scanner::parse_user_page("[]").has_value());
  auto const no_value = scanner::parse_user_page(R"({"error":{"code":"x"}})");
  REQUIRE_FALSE(no_value.has_value());
  CHECK(no_value.error().message.find("\"value\"") != std::string::npos);
  CHECK_FALSE(scanner::parse_user_page(R"({"value": []} trailing)").has_value());
  CHECK_FALSE(scanner::parse_user_page("{\"value\": [], \"x\": \"\xff\"}").has_value());  // not UTF-8
  // A raw NUL byte is not JSON; RapidJSON alone would take it for the end and hide what follows.
  using namespace std::string_view_literals;
  auto const nul = scanner::parse_user_page("{\"value\": []}\0 trailing"sv);
  REQUIRE_FALSE(nul.has_value());
  CHECK(nul.error().message == "cannot parse users page: a NUL byte at offset 13 of 23 bytes");
  CHECK_FALSE(scanner::parse_user_page("{\"value\": [], \"x\": \"a\0b\"}"sv).has_value());
}

TEST_CASE("an escaped NUL inside a display name is kept, with the bytes around it") {
  auto const parsed = scanner::parse_user_page(R"({"value": [{"id": "U1", "displayName": "a\u0000b\u00e9"}]})");
  REQUIRE_OK(parsed);
  REQUIRE(parsed->page.users.size() == 1);
  CHECK(parsed->page.users[0].display_name == std::string("a\0b\xc3\xa9", 5));
  CHECK(parsed->page.users[0].id == "u1");
}

TEST_CASE("a user without an id or a license without a skuId rejects the page, naming the item") {
  auto const no_id = scanner::parse_user_page(R"({"value": [{"id": "a"}, {"userPrincipalName": "x@y"}]})");
  REQUIRE_FALSE(no_id.has_value());
  CHECK(no_id.error().message == "cannot read users page: user #2 has no id");
  CHECK_FALSE(
      scanner::parse_user_page(R"({"value": [{"id": "a", "assignedLicenses": [{"disabledPlans": []}]}]})").has_value());
  CHECK_FALSE(scanner::parse_user_page(R"({"value": [{"id": "a", "assignedLicenses": {}}]})").has_value());
  CHECK_FALSE(scanner::parse_user_page(R"({"value": [7]})").has_value());
}

TEST_CASE("deeply nested unknown fields neither crash nor fail the page") {
  std::string body = R"({"value": [{"id": "a", "extension": )";
  body += std::string(100000, '[') + std::string(100000, ']') + "}]}";
  auto const parsed = scanner::parse_user_page(body);
  REQUIRE_OK(parsed);
  CHECK(parsed->page.users.size() == 1);
}

TEST_CASE("the users $select names exactly the stored properties") {
  CHECK(scanner::user_select ==
        "id,userPrincipalName,displayName,mail,userType,accountEnabled,usageLocation,onPremisesSyncEnabled,"
        "department,createdDateTime,creationType,assignedLicenses,licenseAssignmentStates");
}

TEST_CASE("a body ending in a UTF-8 lead byte is refused without reading past it (fuzz_graph_page crash 1)") {
  auto const body = fixture("fuzz-fuzz_graph_page-1.bin");
  auto const parsed = scanner::parse_user_page(body);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message.find("cannot parse users page") != std::string::npos);
  // The same ending inside a complete document.
  CHECK_FALSE(scanner::parse_user_page("{\"value\": [], \"x\": \"ab\xe5\"}").has_value());
  CHECK_FALSE(scanner::parse_user_page("{\"value\": [], \"x\": \"\xf4").has_value());
}
