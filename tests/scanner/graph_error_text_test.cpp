#include "scanner/detail/graph_error_text.hpp"

#include <doctest/doctest.h>

TEST_CASE("a Graph error body yields code, message and the innerError request-id in any key case") {
  auto e = scanner::parse_graph_error(
      R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.",)"
      R"("innererror":{"date":"2025-02-13T10:17:06","request-id":"93b6f17e","client-request-id":"e70c5c1b"}}})");
  CHECK(e.code == "Authorization_RequestDenied");
  CHECK(e.message == "Insufficient privileges to complete the operation.");
  CHECK(e.request_id == "93b6f17e");
  auto empty = scanner::parse_graph_error("not json");
  CHECK(empty.code.empty());
}

TEST_CASE("a 403 names the missing application permission and the admin-consent URL") {
  auto const users = scanner::hint_for_status(403, "https://graph.microsoft.com/v1.0/users?$top=999",
                                              "https://login.microsoftonline.com", "t1", "c1");
  CHECK(users.find("User.Read.All") != std::string::npos);
  CHECK(users.find("https://login.microsoftonline.com/t1/adminconsent?client_id=c1") != std::string::npos);
  CHECK(scanner::hint_for_status(403, "https://g/v1.0/subscribedSkus", "https://l", "t", "c")
            .find("Organization.Read.All") != std::string::npos);
  CHECK(scanner::hint_for_status(403, "https://g/v1.0/directory/subscriptions", "https://l", "t", "c")
            .find("Organization.Read.All") != std::string::npos);
  CHECK(scanner::hint_for_status(403, "https://g/v1.0/users/x/licenseDetails", "https://l", "t", "c")
            .find("not supported") != std::string::npos);
}
