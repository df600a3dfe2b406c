// tests/scanner/graph_client_harness.hpp — a graph_client pointed at a scripted test_fake::server, run to
// completion on its own io_context (test helper, no tests here).
#pragma once

#include "fake_graph.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/co_spawn.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace graph_client_harness {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test_fake::reply;

inline const std::string secret = "Sup3r~Secret.Value_123";
inline const std::string token = "eyJ.fake-access-token.sig";

inline bool is_token_request(const test_fake::request& r) {
  return r.target.find("/oauth2/v2.0/token") != std::string::npos;
}

// Answers token requests with `token`, everything else with handle(r, n) where n counts Graph requests from 1.
inline auto graph(std::function<reply(const test_fake::request&, int)> handle, int expires_in = 3599) {
  auto count = std::make_shared<std::atomic<int>>(0);
  return [handle, count, expires_in](const test_fake::request& r) {
    if (is_token_request(r)) return reply{200, test_fake::token_body(token, expires_in)};
    return handle(r, ++*count);
  };
}

inline reply ok_page() { return reply{200, R"({"value":[]})"}; }

inline scanner::credentials secret_creds(const std::string& value = secret) {
  scanner::credentials c;
  c.tenant_id = "tenant-1";
  c.client_id = "client-1";
  c.secret = value;
  return c;
}

inline scanner::connection_options options_for(const std::string& root) {
  scanner::connection_options o;
  o.graph_endpoint = root;
  o.authority_host = root;
  o.backoff_base = 5ms;  // the retry schedule is tested in retry_policy_test; here only outcomes count
  o.timeout = 5000ms;
  return o;
}

// Runs the client's coroutine to completion on io; an exception that escapes it is rethrown here, so that a test
// sees it as a failure instead of a value that never came.
template <class T>
T run(net::io_context& io, net::awaitable<T> task) {
  std::optional<T> out;
  std::exception_ptr failure;
  net::co_spawn(
      io, [&]() -> net::awaitable<void> { out.emplace(co_await std::move(task)); },
      [&failure](std::exception_ptr e) { failure = e; });
  io.restart();
  io.run();
  if (failure) std::rethrow_exception(failure);
  REQUIRE(out.has_value());
  return std::move(*out);
}

struct client_under_test {
  net::io_context io;
  std::unique_ptr<scanner::graph_client> client;
  explicit client_under_test(scanner::connection_options o, scanner::credentials c = secret_creds()) {
    auto made = scanner::graph_client::create(io, std::move(o), std::move(c));
    REQUIRE(made.has_value());
    client = std::move(*made);
  }
  base::result<scanner::graph_response> get(std::string url, scanner::body_check check = {}) {
    return run(io, client->send(scanner::graph_request{"GET", std::move(url), {}, {}}, std::move(check)));
  }
};

inline void check_no_secrets(const std::string& text) {
  CHECK(text.find(secret) == std::string::npos);
  CHECK(text.find(token) == std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
}

}  // namespace graph_client_harness
