#include "scanner/detail/parse_batch.hpp"

#include "fixtures.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/parse_license_details.hpp"

#include <doctest/doctest.h>

using scanner_test::fixture;

TEST_CASE("the official $batch response gives every item with its status, headers and body") {
  auto const items = scanner::parse_batch_response(fixture("batch-response.json"));
  REQUIRE_OK(items);
  REQUIRE(items->size() == 5);
  CHECK((*items)[0].id == "1");
  CHECK((*items)[0].status == 200);
  CHECK((*items)[0].header("x-ms-resource-unit") == "1");
  CHECK((*items)[0].header("cache-control") == "no-cache");  // names lower-cased
  CHECK((*items)[0].body.find("User Administrator") != std::string::npos);
  CHECK((*items)[1].status == 403);
  CHECK((*items)[3].status == 405);
  auto const denied = scanner::parse_graph_error((*items)[2].body);
  CHECK(denied.code == "Authorization_RequestDenied");
  CHECK(denied.request_id == "93b6f17e-c05d-4f45-ad2a-6665c708d8a0");
  auto const empty_code = scanner::parse_graph_error((*items)[1].body);
  CHECK(empty_code.code.empty());
  CHECK(empty_code.message == "You do not have the required permissions to access this item.");
}

TEST_CASE("throttled batch items carry their Retry-After, string or number, and bodies re-parse") {
  auto const items = scanner::parse_batch_response(fixture("batch-license-details.handmade.json"));
  REQUIRE_OK(items);
  REQUIRE(items->size() == 3);
  CHECK((*items)[0].id == "2");
  CHECK((*items)[0].status == 429);
  CHECK((*items)[0].header("retry-after") == "3");
  CHECK((*items)[2].header("retry-after") == "7");
  CHECK((*items)[2].body.empty());
  auto const rows = scanner::parse_license_details("4562bcc8-c436-4f95-b7c0-4f8ce89dca5e", (*items)[1].body);
  REQUIRE_OK(rows);
  REQUIRE(rows->size() == 2);
  CHECK((*rows)[0].service_plan_id == "50e68c76-46c6-4674-81f9-75456511b170");
  CHECK((*rows)[0].enabled);
  CHECK_FALSE((*rows)[1].enabled);
}

TEST_CASE("a batch request body lists each GET with its id and relative URL") {
  std::vector<scanner::batch_request_item> const items{{"1", "/users/a/licenseDetails"},
                                                       {"2", "/users/b\"/licenseDetails"}};
  CHECK(scanner::batch_request_body(items) ==
        R"({"requests":[{"id":"1","method":"GET","url":"/users/a/licenseDetails"},)"
        R"({"id":"2","method":"GET","url":"/users/b\"/licenseDetails"}]})");
}

TEST_CASE("a batch item's own headers go into its request, escaped as JSON") {
  std::vector<scanner::batch_request_item> const items{
      {"1", "/groups?$count=true", {{"ConsistencyLevel", "eventual"}, {"X-Odd", "a\"b"}}}};
  CHECK(scanner::batch_request_body(items) == R"({"requests":[{"id":"1","method":"GET","url":"/groups?$count=true",)"
                                              R"("headers":{"ConsistencyLevel":"eventual","X-Odd":"a\"b"}}]})");
}

TEST_CASE("each request of a batch gets its first answer by id, and answers not ours or repeated are ignored") {
  auto const answers = scanner::parse_batch_response(
      R"({"responses":[{"id":"2","status":404},{"id":"0","status":200},{"id":"4","status":200},)"
      R"({"id":"1x","status":200},{"id":"+1","status":200},{"id":"","status":200},{"id":"2","status":200},)"
      R"({"id":"3","status":503}]})");
  REQUIRE_OK(answers);
  auto const by_request = scanner::answers_by_request(*answers, 3);
  REQUIRE(by_request.size() == 3);
  CHECK(by_request[0] == nullptr);
  REQUIRE(by_request[1] != nullptr);
  CHECK(by_request[1]->status == 404);
  REQUIRE(by_request[2] != nullptr);
  CHECK(by_request[2]->status == 503);
}

TEST_CASE("batch responses without ids or statuses, or not JSON, are rejected") {
  CHECK_FALSE(scanner::parse_batch_response(R"({"responses": [{"status": 200}]})").has_value());
  CHECK_FALSE(scanner::parse_batch_response(R"({"responses": [{"id": "1"}]})").has_value());
  CHECK_FALSE(scanner::parse_batch_response(R"({"responses": [{"id": "1", "status": 99}]})").has_value());
  CHECK_FALSE(scanner::parse_batch_response(R"({"responses": [{"id": "1", "status": 200.5}]})").has_value());
  CHECK_FALSE(scanner::parse_batch_response(R"({"value": []})").has_value());
  auto const truncated = scanner::parse_batch_response(R"({"responses": [{"id": "1", "sta)");
  REQUIRE_FALSE(truncated.has_value());
  CHECK(truncated.error().message.find("cannot parse $batch response") != std::string::npos);
}

TEST_CASE("an item body nested absurdly deep is refused instead of overflowing the stack") {
  std::string body = R"({"responses": [{"id": "1", "status": 200, "body": )";
  body += std::string(50000, '[') + std::string(50000, ']') + "}]}";
  auto const items = scanner::parse_batch_response(body);
  REQUIRE_FALSE(items.has_value());
  CHECK(items.error().message.find("nested too deeply") != std::string::npos);
}
