#include "scanner/graph_client.hpp"

#include "graph_client_harness.hpp"
#include "support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace graph_client_harness;

TEST_CASE("a request carries the bearer token and the Graph headers, after a client-credentials token request") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users?$top=999");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->url == server.url() + "/v1.0/users?$top=999");
  auto const seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].target == "/tenant-1/oauth2/v2.0/token");
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].body.find("grant_type=client_credentials") != std::string::npos);
  CHECK(seen[0].body.find("client_id=client-1") != std::string::npos);
  CHECK(seen[0].body.find("scope=" + std::string("http%3A%2F%2F127.0.0.1")) != std::string::npos);
  CHECK(seen[0].body.find("client_secret=Sup3r~Secret.Value_123") != std::string::npos);
  auto const& g = seen[1];
  CHECK(g.target == "/v1.0/users?$top=999");
  CHECK(g.headers.at("authorization") == "Bearer " + token);
  CHECK(g.headers.at("x-ms-throttle-priority") == "Low");
  CHECK(g.headers.at("client-request-id").size() == 36);
  CHECK(g.headers.at("user-agent").starts_with("entra-audit/"));
  CHECK(g.headers.at("accept") == "application/json");
  CHECK(t.client->stats().requests == 1);
  CHECK(t.client->stats().token_requests == 1);
}

TEST_CASE("keep-alive connections are reused and the token is cached") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  for (int i = 0; i < 3; ++i) REQUIRE(t.get("/v1.0/users").has_value());
  CHECK(server.connections() == 1);
  CHECK(t.client->stats().token_requests == 1);
  auto const seen = server.requests();
  CHECK(seen[1].headers.at("client-request-id") != seen[2].headers.at("client-request-id"));
}

TEST_CASE("a keep-alive connection the server closed is replaced transparently") {
  test_fake::server server(graph([](auto const&, int n) {
    reply r = ok_page();
    if (n == 1) r.act = reply::action::close_after;  // answers, then hangs up without saying so
    return r;
  }));
  client_under_test t(options_for(server.url()));
  REQUIRE(t.get("/v1.0/users").has_value());
  auto second = t.get("/v1.0/users");
  REQUIRE(second.has_value());
  CHECK(t.client->stats().retries == 0);
  CHECK(server.connections() == 2);
}

TEST_CASE("an absolute nextLink is sent as given, a link to another host is refused without the token") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  std::string const link = server.url() + "/v1.0/users?$skiptoken=RFNwdAIAAQ%3d%3d'x%27";
  REQUIRE(t.get(link).has_value());
  CHECK(server.requests().back().target == "/v1.0/users?$skiptoken=RFNwdAIAAQ%3d%3d'x%27");
  auto other = t.get("https://evil.example.com/v1.0/users");
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().message.find("evil.example.com") != std::string::npos);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("a 429 with Retry-After is waited out and does not use up the attempt budget") {
  test_fake::server server(graph([](auto const&, int n) {
    if (n <= 7)
      return reply{429, R"({"error":{"code":"TooManyRequests","message":"slow down"}})", {{"Retry-After", "0.05"}}};
    return ok_page();
  }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE(r.has_value());
  CHECK(t.client->stats().throttled == 7);
  CHECK(t.client->stats().requests == 8);
}

TEST_CASE("503, 500, a reset connection and a truncated body are retried until success") {
  test_fake::server server(graph([](auto const&, int n) {
    switch (n) {
      case 1:
        return reply{503, R"({"error":{"code":"serviceNotAvailable","message":"x"}})"};
      case 2:
        return reply{500, R"({"error":{"code":"generalException","message":"x"}})"};
      case 3:
        return reply{200, "", {}, reply::action::reset};
      case 4:
        return reply{200, R"({"value":[)", {}, reply::action::truncate};
      default:
        return ok_page();
    }
  }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE(r.has_value());
  CHECK(r->body == R"({"value":[]})");
  // A reset before any response byte on a reused connection is resent at once, like an idle close, so it is not
  // counted as a retry; the server saw all five attempts.
  CHECK(t.client->stats().retries >= 3);
  int graph_requests = 0;
  for (auto const& seen : server.requests()) graph_requests += is_token_request(seen) ? 0 : 1;
  CHECK(graph_requests == 5);
}

TEST_CASE("a body that fails the check is retried like a 5xx") {
  test_fake::server server(graph([](auto const&, int n) { return n == 1 ? reply{200, "{garbage"} : ok_page(); }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users", [](const scanner::graph_response& resp) -> base::result<void> {
    if (resp.body.front() != '{' || resp.body.find("value") == std::string::npos)
      return base::runtime_error("not a page");
    return {};
  });
  REQUIRE(r.has_value());
  CHECK(t.client->stats().retries == 1);
}

TEST_CASE("a persistent 503 gives up after max_attempts with one line naming URL, status, code and request-id") {
  test_fake::server server(graph([](auto const&, int) {
    return reply{503,
                 R"({"error":{"code":"serviceNotAvailable","message":"Service unavailable"}})",
                 {{"request-id", "1234abcd-0000"}}};
  }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users?$top=999");
  REQUIRE_FALSE(r.has_value());
  auto const& m = r.error().message;
  CHECK(r.error().code == base::exit_code::runtime);
  CHECK(m.starts_with("GET " + server.url() + "/v1.0/users?$top=999 failed: 503 serviceNotAvailable"));
  CHECK(m.find("after 6 attempts") != std::string::npos);
  CHECK(m.find("(request-id 1234abcd-0000)") != std::string::npos);
  CHECK(m.find("Graph is unavailable; try again later") != std::string::npos);
  check_no_secrets(m);
  CHECK(t.client->stats().requests == 6);
}

TEST_CASE("a throttled wait that would pass the deadline ends the request at once") {
  test_fake::server server(graph([](auto const&, int) { return reply{429, "{}", {{"Retry-After", "100"}}}; }));
  auto o = options_for(server.url());
  o.deadline = 1s;
  client_under_test t(o);
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("deadline") != std::string::npos);
  CHECK(t.client->stats().requests == 1);
}

TEST_CASE("a 401 renews the token once and retries, a second 401 is final") {
  std::atomic<int> tokens{0};
  test_fake::server server([&](const test_fake::request& r) {
    if (is_token_request(r)) return reply{200, test_fake::token_body(token + std::to_string(++tokens))};
    if (r.headers.at("authorization") == "Bearer " + token + "1")
      return reply{401, R"({"error":{"code":"InvalidAuthenticationToken"}})"};
    return ok_page();
  });
  client_under_test t(options_for(server.url()));
  REQUIRE(t.get("/v1.0/users").has_value());
  CHECK(tokens == 2);

  test_fake::server always(graph([](auto const&, int) {
    return reply{401, R"({"error":{"code":"InvalidAuthenticationToken"}})"};
  }));
  client_under_test u(options_for(always.url()));
  auto r = u.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("401") != std::string::npos);
  CHECK(u.client->stats().token_requests == 2);
  check_no_secrets(r.error().message);
}

TEST_CASE("a 403 on a read names the missing permission and the admin-consent URL, without retrying") {
  test_fake::server server(graph([](auto const&, int) {
    return reply{
        403,
        R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"req-9"}}})"};
  }));
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/subscribedSkus");
  REQUIRE_FALSE(r.has_value());
  auto const& m = r.error().message;
  CHECK(r.error().code == base::exit_code::runtime);
  CHECK(m.find("403 Authorization_RequestDenied") != std::string::npos);
  CHECK(m.find("Organization.Read.All") != std::string::npos);
  CHECK(m.find(server.url() + "/tenant-1/adminconsent?client_id=client-1") != std::string::npos);
  CHECK(m.find("(request-id req-9)") != std::string::npos);
  CHECK(t.client->stats().requests == 1);
}

TEST_CASE("a wrong secret fails with the AADSTS line and the secret appears nowhere") {
  test_fake::server server([](const test_fake::request& r) {
    if (is_token_request(r))
      return reply{
          401,
          R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215]})"};
    return ok_page();
  });
  client_under_test t(options_for(server.url()));
  auto r = t.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "AADSTS7000215: invalid client secret — check AZURE_CLIENT_SECRET for app client-1");
  check_no_secrets(r.error().message);
  CHECK(server.requests().size() == 1);  // no Graph request without a token
}

TEST_CASE("a token is renewed when it nears expiry") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }, 1));
  client_under_test t(options_for(server.url()));
  REQUIRE(t.get("/v1.0/users").has_value());
  std::this_thread::sleep_for(1100ms);
  REQUIRE(t.get("/v1.0/users").has_value());
  CHECK(t.client->stats().token_requests == 2);
}

TEST_CASE("a pause from one sender holds back the next request") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  REQUIRE(t.get("/v1.0/users").has_value());
  t.client->pause_for(300ms);
  auto const before = std::chrono::steady_clock::now();
  REQUIRE(t.get("/v1.0/users").has_value());
  CHECK(std::chrono::steady_clock::now() - before >= 300ms);
}

TEST_CASE("concurrent senders share one token request") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  int done = 0;
  for (int i = 0; i < 5; ++i)
    net::co_spawn(
        t.io,
        [&]() -> net::awaitable<void> {
          // A named request: g++ 12 destroys temporaries inside a co_await expression twice.
          scanner::graph_request req;
          req.url = "/v1.0/users";
          auto r = co_await t.client->send(std::move(req), {});
          if (r) ++done;
        },
        net::detached);
  t.io.run();
  CHECK(done == 5);
  CHECK(t.client->stats().token_requests == 1);
}
