// graph_client against servers that misbehave on purpose: huge tokens, redirects, echoed secrets, silence.
#include "graph_client_harness.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/token_response.hpp"
#include "scanner/graph_client.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>

using namespace graph_client_harness;

namespace {

// Answers token requests with `big` as the access token, Graph requests with an empty page.
auto tokens_of(std::string big) {
  return [big = std::move(big)](const test_fake::request& r) {
    if (is_token_request(r)) return reply{200, test_fake::token_body(big)};
    return ok_page();
  };
}

int graph_requests(const test_fake::server& server) {
  auto const seen = server.requests();
  return static_cast<int>(std::count_if(seen.begin(), seen.end(), [](auto const& r) { return !is_token_request(r); }));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("an access token of the largest accepted size is sent whole in the Authorization header") {
  std::string const big(scanner::max_access_token_size, 'A');
  test_fake::server server(tokens_of(big));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE(r.has_value());
  auto const seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].headers.at("authorization") == "Bearer " + big);
}

TEST_CASE("an access token one byte over the limit fails at once with one line naming its size and the limit") {
  test_fake::server server(tokens_of(std::string(scanner::max_access_token_size + 1, 'A')));
  client_under_test t(options_for(server.url()));
  auto const started = std::chrono::steady_clock::now();
  auto r = t.get("/v1.0/users");  // today's code threw std::length_error out of the request here
  REQUIRE_FALSE(r.has_value());
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(r.error().code == base::exit_code::runtime);
  CHECK(r.error().message.find("65527 bytes") != std::string::npos);
  CHECK(r.error().message.find("at most 65526") != std::string::npos);
  CHECK(r.error().message.find('\n') == std::string::npos);
  CHECK(graph_requests(server) == 0);
  CHECK(server.requests().size() == 1);  // final: asking again would give the same token
}

TEST_CASE("a token with a line break is refused: it would add a header line to every Graph request") {
  test_fake::server server([](const test_fake::request& r) {
    if (is_token_request(r))
      return reply{200, R"({"token_type":"Bearer","expires_in":3599,"access_token":"abc\r\nX-Injected: 1"})"};
    return ok_page();
  });
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("a character no HTTP header may carry") != std::string::npos);
  CHECK(graph_requests(server) == 0);
}

TEST_CASE("a redirect on a Graph page is never followed: the error names the status, Location and the fix") {
  for (unsigned status : {301u, 302u, 307u, 308u}) {
    CAPTURE(status);
    test_fake::server server(graph([status](auto const&, int) {
      return reply{status, "", {{"Location", "https://portal.example.net/login?next=%2Fv1.0"}}};
    }));
    client_under_test t(options_for(server.url()));
    auto r = t.get("/v1.0/users?$top=999");
    REQUIRE_FALSE(r.has_value());
    auto const& m = r.error().message;
    CHECK(r.error().reply.http_status == status);
    CHECK(r.error().code == base::exit_code::runtime);
    CHECK(m.find("/v1.0/users?$top=999 was redirected (" + std::to_string(status) + ")") != std::string::npos);
    CHECK(m.find("https://portal.example.net/login?next=%2Fv1.0") != std::string::npos);
    CHECK(m.find("--graph-endpoint") != std::string::npos);
    CHECK(m.find("captive portal") != std::string::npos);
    CHECK(graph_requests(server) == 1);  // not followed, not retried
    check_no_secrets(m);
  }
}

TEST_CASE("a redirect from the token endpoint is refused naming the Location and the login-host settings") {
  test_fake::server server([](const test_fake::request& r) {
    if (is_token_request(r)) return reply{302, "", {{"Location", "http://10.0.0.1/captive"}}};
    return ok_page();
  });
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  auto const& m = r.error().message;
  CHECK(r.error().reply.http_status == 302u);
  CHECK(m.find("token request to " + server.url() + "/tenant-1/oauth2/v2.0/token was redirected (302)") !=
        std::string::npos);
  CHECK(m.find("http://10.0.0.1/captive") != std::string::npos);
  CHECK(m.find("--authority-host") != std::string::npos);
  CHECK(m.find("AZURE_AUTHORITY_HOST") != std::string::npos);
  CHECK(server.requests().size() == 1);
}

TEST_CASE("a token endpoint that echoes the request body shows the secret in no encoding") {
  std::string const hostile = "a/b+c=d~e%f g\"h";
  // The description repeats the form body it received, a JSON object holding the secret, and an HTTP Basic header.
  test_fake::server server([&](const test_fake::request& r) {
    std::string const basic = scanner::base64_encode("client-1:" + hostile);
    std::string json_escaped = R"({\"secret\":\"a\\/b+c=d~e%f g\\\"h\"})";
    return reply{400, R"({"error":"invalid_request","error_codes":[90014],)"
                      R"("error_description":"AADSTS90014: bad body )" +
                          r.body + " json " + json_escaped + " basic " + basic + R"("})"};
  });
  client_under_test t(options_for(server.url()), secret_creds(hostile));
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  auto const& m = r.error().message;
  CAPTURE(m);
  CHECK(m.find("AADSTS90014: bad body") != std::string::npos);
  CHECK(m.find("[redacted]") != std::string::npos);
  for (std::string const& leak :
       {hostile, std::string("a%2Fb%2Bc%3Dd~e%25f%20g%22h"), std::string("a%2fb"), std::string("%3Dd~e%25f"),
        std::string(R"(a\/b+c)"), std::string("g\\\"h"), scanner::base64_encode("client-1:" + hostile).substr(12, 16)})
    CHECK(m.find(leak) == std::string::npos);
  CHECK(m.find("client_id=client-1") != std::string::npos);  // the rest of the echo is kept
}

TEST_CASE("each retry is one warning at the default level: what, why, the wait and attempt n of m") {
  test_fake::server server(graph([](auto const&, int n) {
    if (n <= 2) return reply{503, R"({"error":{"code":"serviceNotAvailable","message":"x"}})"};
    return ok_page();
  }));
  client_under_test t(options_for(server.url()));
  test_support::stderr_capture captured;
  REQUIRE(t.get("/v1.0/users").has_value());
  auto const err = captured.text();
  CAPTURE(err);
  CHECK(count_of(err, " warn ") == 2);
  CHECK(err.find("GET " + server.url() + "/v1.0/users: 503 serviceNotAvailable; retrying in ") != std::string::npos);
  CHECK(err.find("(attempt 2 of 6)") != std::string::npos);
  CHECK(err.find("(attempt 3 of 6)") != std::string::npos);
}

TEST_CASE("a server that never answers costs six timeouts, each one reported, then one line") {
  test_fake::server server(graph([](auto const&, int) { return reply{200, "", {}, reply::action::stall}; }));
  auto o = options_for(server.url());
  o.timeout = 200ms;
  client_under_test t(o);
  test_support::stderr_capture captured;
  auto const started = std::chrono::steady_clock::now();
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(r.error().message.find("timed out") != std::string::npos);
  CHECK(r.error().message.find("after 6 attempts") != std::string::npos);
  CHECK(r.error().reply.http_status == 0u);
  auto const err = captured.text();
  CHECK(count_of(err, " warn ") == 5);
  CHECK(err.find("timed out; retrying in") != std::string::npos);
  CHECK(err.find("(attempt 6 of 6)") != std::string::npos);
}

TEST_CASE("a Graph error echoing the secret in a Location or a message leaks it nowhere") {
  std::string const hostile = "a/b+c=d~e%f g\"h";
  test_fake::server server([&](const test_fake::request& r) {
    if (is_token_request(r)) return reply{200, test_fake::token_body(token)};
    return reply{400, R"({"error":{"code":"Request_BadRequest","message":"bad a%2fb%2bc%3dd~e%25f+g%22h"}})"};
  });
  client_under_test t(options_for(server.url()), secret_creds(hostile));
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("400 Request_BadRequest: bad [redacted]") != std::string::npos);
  CHECK(r.error().message.find("a%2fb") == std::string::npos);
}
