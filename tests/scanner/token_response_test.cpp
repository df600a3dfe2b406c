#include "scanner/detail/token_response.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::string fixture(const std::string& name) {
  return test_support::read_file(std::string(ENTRA_AUDIT_SOURCE_DIR) + "/tests/data/token/" + name);
}

// token-error.json's shape with another code and description.
std::string aadsts(long code, const std::string& error, const std::string& description) {
  return R"({"error":")" + error + R"(","error_description":"AADSTS)" + std::to_string(code) + ": " + description +
         R"(\r\nTrace ID: 255d1aef-8c98-452f-ac51-23d051240864\r\nCorrelation ID: fb3d2015\r\nTimestamp: 2016-01-09 02:02:12Z","error_codes":[)" +
         std::to_string(code) + R"(],"timestamp":"2016-01-09 02:02:12Z","trace_id":"255d","correlation_id":"fb3d"})";
}

const scanner::token_request_context who{"tenant-1", "client-1", "secret",
                                         "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token"};

}  // namespace

TEST_CASE("the documented token response yields the token and its lifetime") {
  auto t = scanner::parse_token_response(fixture("token-response.json"));
  REQUIRE(t.has_value());
  CHECK(t->value.starts_with("eyJ0eXAiOiJKV1Qi"));
  CHECK(t->lifetime == std::chrono::seconds{3599});
}

TEST_CASE("expires_in as a string is accepted, a body without access_token is an error") {
  auto t = scanner::parse_token_response(R"({"token_type":"Bearer","expires_in":"120","access_token":"abc"})");
  REQUIRE(t.has_value());
  CHECK(t->lifetime == std::chrono::seconds{120});
  CHECK_FALSE((scanner::parse_token_response(R"({"token_type":"Bearer","expires_in":3599})")).has_value());
  CHECK_FALSE((scanner::parse_token_response("<html>")).has_value());
  CHECK_FALSE((scanner::parse_token_response(R"({"token_type":"pop","access_token":"abc"})")).has_value());
}

TEST_CASE("the documented invalid_scope error becomes one AADSTS70011 line") {
  auto const line = scanner::describe_token_error(400, fixture("token-error.json"), who);
  CHECK(line.starts_with("AADSTS70011:"));
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find("Trace ID") == std::string::npos);
}

TEST_CASE("an invalid client secret names AZURE_CLIENT_SECRET and the app") {
  auto const line = scanner::describe_token_error(
      401, aadsts(7000215, "invalid_client", "Invalid client secret provided. Ensure the secret being sent ..."), who);
  CHECK(line == "AADSTS7000215: invalid client secret — check AZURE_CLIENT_SECRET for app client-1");
}

TEST_CASE("expired secrets, unknown apps and unknown tenants each say what to check") {
  CHECK(scanner::describe_token_error(
            401, aadsts(7000222, "invalid_client", "The provided client secret keys are expired."), who)
            .find("expired") != std::string::npos);
  auto const app =
      scanner::describe_token_error(400, aadsts(700016, "unauthorized_client", "Application not found"), who);
  CHECK(app.find("AZURE_CLIENT_ID") != std::string::npos);
  CHECK(app.find("AZURE_TENANT_ID") != std::string::npos);
  auto const tenant = scanner::describe_token_error(400, aadsts(90002, "invalid_request", "Tenant not found."), who);
  CHECK(tenant.starts_with("AADSTS90002"));
  CHECK(tenant.find("AZURE_TENANT_ID") != std::string::npos);
}

TEST_CASE("certificate problems point at the certificate registered on the app") {
  auto const line = scanner::describe_token_error(
      401, aadsts(700027, "invalid_client", "Client assertion failed signature validation."), who);
  CHECK(line.starts_with("AADSTS700027"));
  CHECK(line.find("certificate registered on app client-1") != std::string::npos);
}

TEST_CASE("other AADSTS errors give the first line of error_description, non-JSON gives the status") {
  auto const line = scanner::describe_token_error(400, aadsts(50126, "invalid_grant", "Something else."), who);
  CHECK(line == "AADSTS50126: Something else.");
  auto const bare = scanner::describe_token_error(502, "<html>bad gateway</html>", who);
  CHECK(bare.find("502") != std::string::npos);
  CHECK(bare.find("html") == std::string::npos);
}

TEST_CASE("a token up to 65,526 bytes is accepted, one byte more is refused naming its size, the limit and the fix") {
  static_assert(scanner::max_access_token_size == 65'526);
  CHECK(scanner::check_token_value(std::string(scanner::max_access_token_size, 'x')).has_value());
  auto too_big = scanner::check_token_value(std::string(scanner::max_access_token_size + 1, 'x'));
  REQUIRE_FALSE(too_big.has_value());
  CHECK(too_big.error().code == base::exit_code::runtime);
  CHECK(too_big.error().message.find("65527 bytes; at most 65526 fit in an HTTP header") != std::string::npos);
  CHECK(too_big.error().message.find("--authority-host") != std::string::npos);
}

TEST_CASE("a token with a space, a control character or a non-ASCII byte is refused") {
  for (std::string const& value : {std::string("abc def"), std::string("abc\r\nX-Injected: 1"), std::string("abc\0", 4),
                                   std::string("abc\xC3\xA9"), std::string("abc\x7F")}) {
    CAPTURE(value);
    auto t = scanner::check_token_value(value);
    REQUIRE_FALSE(t.has_value());
    CHECK(t.error().message.find("a character no HTTP header may carry") != std::string::npos);
  }
}

TEST_CASE("a refused token request gives its AADSTS code and trace id as fields, not text to search") {
  auto const reply = scanner::token_error_reply(
      401, R"({"error":"invalid_client","error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"})");
  CHECK(reply.http_status == 401);
  CHECK(reply.code == "AADSTS7000215");
  CHECK(reply.request_id == "t-1");
  CHECK(scanner::token_error_reply(400, R"({"error":"invalid_request"})").code == "invalid_request");
  CHECK(scanner::token_error_reply(502, "<html/>").code.empty());
}
