#include "graphsim/server.hpp"
#include "scanner/detail/client_certificate.hpp"
#include "scanner/graph_client.hpp"
#include "support.hpp"
#include "test_pki.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <doctest/doctest.h>

#include <thread>

namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// The emulator in-process (graphsim/server.hpp) and a client pointed at it.
struct emulated {
  std::unique_ptr<graphsim::background_server> sim;
  net::io_context io;
  std::unique_ptr<scanner::graph_client> client;
  std::vector<std::string> errors;

  explicit emulated(graphsim::sim_options o) {
    o.users = o.users == 1000 ? 30 : o.users;
    auto started = graphsim::background_server::start(o);
    REQUIRE_MESSAGE(started.has_value(), (started ? "" : started.error().message));
    sim = std::move(*started);
  }

  scanner::connection_options options() const {
    scanner::connection_options c;
    c.graph_endpoint = sim->url();
    c.authority_host = sim->url();
    if (!sim->ca_pem_path().empty()) c.ca_file = sim->ca_pem_path();
    c.backoff_base = 5ms;
    c.timeout = 10'000ms;
    return c;
  }

  scanner::credentials secret() const {
    scanner::credentials c;
    c.tenant_id = sim->tenant_id();
    c.client_id = sim->client_id();
    c.secret = sim->client_secret();
    return c;
  }

  base::result<void> connect(scanner::connection_options o, scanner::credentials c) {
    auto made = scanner::graph_client::create(io, std::move(o), std::move(c));
    if (!made) return made.error();
    client = std::move(*made);
    return {};
  }

  base::result<scanner::graph_response> get(std::string url) {
    std::optional<base::result<scanner::graph_response>> out;
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
          scanner::graph_request req;
          req.url = url;
          out.emplace(co_await client->send(std::move(req), {}));
        },
        net::detached);
    io.restart();
    io.run();
    REQUIRE(out.has_value());
    if (!*out) errors.push_back(out->error().message);
    return std::move(*out);
  }

  // No error line may carry the secret or a token.
  void check_errors_clean() const {
    for (auto const& e : errors) {
      CAPTURE(e);
      CHECK(e.find(sim->client_secret()) == std::string::npos);
      CHECK(e.find("Bearer") == std::string::npos);
      CHECK(e.find("eyJ") == std::string::npos);
    }
  }
};

}  // namespace

TEST_CASE("the emulator over TLS with its generated CA accepts secret auth and serves users") {
  graphsim::sim_options o;
  o.tls = true;
  emulated e(o);
  REQUIRE(e.connect(e.options(), e.secret()).has_value());
  auto r = e.get("/v1.0/users?$top=999");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(r->body.find("\"value\"") != std::string::npos);
  CHECK(e.client->stats().token_requests == 1);
}

TEST_CASE("the emulator over plain loopback http accepts secret auth") {
  emulated e(graphsim::sim_options{});
  REQUIRE(e.connect(e.options(), e.secret()).has_value());
  auto r = e.get("/v1.0/subscribedSkus");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
}

TEST_CASE("a wrong secret fails with the AADSTS7000215 line and never shows either secret") {
  emulated e(graphsim::sim_options{});
  auto creds = e.secret();
  creds.secret = "WrongSecret~0123456789";
  REQUIRE(e.connect(e.options(), creds).has_value());
  auto r = e.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::runtime);
  CHECK(r.error().message.starts_with("AADSTS7000215: invalid client secret"));
  CHECK(r.error().message.find("WrongSecret") == std::string::npos);
  e.check_errors_clean();
}

TEST_CASE("an expired token is renewed") {
  graphsim::sim_options o;
  o.token_lifetime_s = 2;
  emulated e(o);
  REQUIRE(e.connect(e.options(), e.secret()).has_value());
  REQUIRE(e.get("/v1.0/users").has_value());
  std::this_thread::sleep_for(2100ms);
  REQUIRE(e.get("/v1.0/users").has_value());
  CHECK(e.client->stats().token_requests == 2);
  e.check_errors_clean();
}

TEST_CASE("a 429 with Retry-After from the emulator is waited out") {
  graphsim::sim_options o;
  o.fault_schedule = "1:429";
  emulated e(o);
  REQUIRE(e.connect(e.options(), e.secret()).has_value());
  auto r = e.get("/v1.0/users");
  REQUIRE(r.has_value());
  CHECK(e.client->stats().throttled == 1);
  CHECK(e.client->stats().requests == 2);
}

TEST_CASE("503, 500, reset and truncate faults from the emulator are retried to success") {
  graphsim::sim_options o;
  o.tls = true;
  o.fault_schedule = "1:503,2:500,3:reset,4:truncate";
  emulated e(o);
  REQUIRE(e.connect(e.options(), e.secret()).has_value());
  auto r = e.get("/v1.0/users?$top=999");
  REQUIRE(r.has_value());
  CHECK(r->status == 200);
  CHECK(e.client->stats().retries >= 4);
  e.check_errors_clean();
}

TEST_CASE("certificate credentials (PS256 and RS256) and a federated token file are accepted by the emulator") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("scanner app");
  test_support::write_file(dir / "app.pem", pki.cert + pki.key);
  test_support::write_file(dir / "app.crt", pki.cert);
  graphsim::sim_options o;
  o.client_certs = {(dir / "app.crt").string()};
  emulated e(o);
  for (bool rs256 : {false, true}) {
    CAPTURE(rs256);
    auto creds = e.secret();
    creds.secret.reset();
    creds.certificate_path = (dir / "app.pem").string();
    creds.certificate_rs256 = rs256;
    REQUIRE(e.connect(e.options(), creds).has_value());
    auto r = e.get("/v1.0/users");
    REQUIRE(r.has_value());
  }

  // A workload-identity token: the emulator verifies it against the registered certificate.
  auto cert = scanner::client_certificate::load((dir / "app.pem").string(), std::nullopt);
  REQUIRE(cert.has_value());
  auto federated =
      cert->make_assertion(e.sim->client_id(), "api://AzureADTokenExchange", false, std::chrono::system_clock::now());
  REQUIRE(federated.has_value());
  test_support::write_file(dir / "token", *federated + "\n");
  auto creds = e.secret();
  creds.secret.reset();
  creds.federated_token_file = (dir / "token").string();
  REQUIRE(e.connect(e.options(), creds).has_value());
  REQUIRE(e.get("/v1.0/users").has_value());
}

TEST_CASE("an unregistered certificate is refused with a line pointing at the app's certificate") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("not registered");
  test_support::write_file(dir / "app.pem", pki.cert + pki.key);
  emulated e(graphsim::sim_options{});
  auto creds = e.secret();
  creds.secret.reset();
  creds.certificate_path = (dir / "app.pem").string();
  REQUIRE(e.connect(e.options(), creds).has_value());
  auto r = e.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("certificate registered on app") != std::string::npos);
  e.check_errors_clean();
}

TEST_CASE("without the emulator's CA its TLS certificate is refused") {
  graphsim::sim_options o;
  o.tls = true;
  emulated e(o);
  auto c = e.options();
  c.ca_file.reset();
  REQUIRE(e.connect(c, e.secret()).has_value());
  auto r = e.get("/v1.0/users");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.find("--ca-file") != std::string::npos);
  e.check_errors_clean();
}
