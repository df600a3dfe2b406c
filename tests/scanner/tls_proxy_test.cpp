#include "fake_graph.hpp"
#include "scanner/graph_client.hpp"
#include "support.hpp"
#include "test_pki.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <doctest/doctest.h>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using test_fake::reply;

reply answer(const test_fake::request& r) {
  if (r.target.find("/oauth2/v2.0/token") != std::string::npos) return reply{200, test_fake::token_body("tls-token")};
  return reply{200, R"({"value":[]})"};
}

base::result<scanner::graph_response> get_once(scanner::connection_options o) {
  scanner::credentials c;
  c.tenant_id = "tenant-1";
  c.client_id = "client-1";
  c.secret = "tls-test-secret";
  o.backoff_base = 5ms;
  o.timeout = 5000ms;
  net::io_context io;
  auto client = scanner::graph_client::create(io, std::move(o), std::move(c));
  if (!client) return client.error();
  std::optional<base::result<scanner::graph_response>> out;
  net::co_spawn(
      io,
      [&]() -> net::awaitable<void> {
        scanner::graph_request req;
        req.url = "/v1.0/users";
        out.emplace(co_await (*client)->send(std::move(req), {}));
      },
      net::detached);
  io.run();
  REQUIRE(out.has_value());
  return std::move(*out);
}

scanner::connection_options options_for(const std::string& root) {
  scanner::connection_options o;
  o.graph_endpoint = root;
  o.authority_host = root;
  return o;
}

}  // namespace

TEST_CASE("a server certificate from the --ca-file CA, issued for the host, is accepted") {
  test_support::temp_dir dir;
  auto const ca = test_pki::make_ca("test CA");
  test_support::write_file(dir / "ca.pem", ca.cert);
  test_fake::server server(answer, test_pki::make_server_cert(ca, "IP:127.0.0.1"));
  auto o = options_for(server.url());
  o.ca_file = (dir / "ca.pem").string();
  auto r = get_once(o);
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("a certificate from an unknown CA is refused with a clear error naming --ca-file") {
  auto const ca = test_pki::make_ca("unknown CA");
  test_fake::server server(answer, test_pki::make_server_cert(ca, "IP:127.0.0.1"));
  auto r = get_once(options_for(server.url()));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::runtime);
  CHECK(r.error().message.find("not signed by a trusted CA") != std::string::npos);
  CHECK(r.error().message.find("--ca-file") != std::string::npos);
  CHECK(r.error().message.find("tls-test-secret") == std::string::npos);
  CHECK(server.requests().empty());  // nothing, not even the secret, went over the refused connection
}

TEST_CASE("a certificate issued for another host is refused even from a trusted CA") {
  test_support::temp_dir dir;
  auto const ca = test_pki::make_ca("test CA");
  test_support::write_file(dir / "ca.pem", ca.cert);
  test_fake::server server(answer, test_pki::make_server_cert(ca, "DNS:other.example"));
  auto o = options_for(server.url());
  o.ca_file = (dir / "ca.pem").string();
  auto r = get_once(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("not valid for 127.0.0.1") != std::string::npos);
  CHECK(server.requests().empty());
}

TEST_CASE("a --ca-file that is not PEM is a usage error") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "ca.pem", "not a certificate");
  auto o = options_for("https://127.0.0.1:1");
  o.ca_file = (dir / "ca.pem").string();
  auto r = get_once(o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
}

TEST_CASE("HTTPS goes through the CONNECT proxy with SNI and host verification for the real host") {
  test_support::temp_dir dir;
  auto const ca = test_pki::make_ca("test CA");
  test_support::write_file(dir / "ca.pem", ca.cert);
  test_fake::server server(answer, test_pki::make_server_cert(ca, "DNS:graph.test"));
  test_fake::connect_proxy proxy(server.port());
  auto o = options_for("https://graph.test");
  o.ca_file = (dir / "ca.pem").string();
  o.https_proxy = proxy.url();
  o.no_proxy = "example.com";
  auto r = get_once(o);
  REQUIRE(r.has_value());
  CHECK(r->url == "https://graph.test/v1.0/users");
  REQUIRE_FALSE(proxy.targets().empty());
  CHECK(proxy.targets().front() == "graph.test:443");
  CHECK(proxy.tunnels() == 1);  // token and Graph share the keep-alive tunnel
  CHECK(server.requests().back().headers.at("host") == "graph.test");
}
