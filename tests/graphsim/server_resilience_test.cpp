// Throttling, injected faults, TLS, the request log, many connections and clients that give up.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace server_test;

TEST_CASE("a burst over a small budget gets 429 with Retry-After and the budget refills after waiting") {
  auto options = small_tenant();
  options.throttle_ru = 10;  // 1 RU per second
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  reply throttled;
  int ok = 0;
  for (int i = 0; i < 20 && throttled.status != 429; ++i) {
    auto r = c.get("/v1.0/users?$top=5", token);  // 2 - 1 ($top < 20) = 1 RU
    if (r.status == 200) ++ok;
    else throttled = r;
  }
  CHECK(ok >= 10);  // the bucket held 10 RU; a slow machine may have refilled one more meanwhile
  CHECK(ok <= 11);
  REQUIRE(throttled.status == 429);
  std::string const retry_after = throttled.header("retry-after");
  REQUIRE_FALSE(retry_after.empty());
  double const wait = std::stod(retry_after);
  CHECK(wait > 0);
  CHECK(wait <= 1.0);
  CHECK_FALSE(throttled.header("x-ms-throttle-scope").empty());
  CHECK(throttled.header("x-ms-throttle-information") == "ResourceUnitLimitExceeded");
  auto body = json(throttled.body);
  CHECK(std::string(body["error"]["code"].GetString()) == "TooManyRequests");
  CHECK(std::string(body["error"]["innerError"]["status"].GetString()) == "429");
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(wait * 1000) + 50));
  CHECK(c.get("/v1.0/users?$top=5", token).status == 200);
  auto stats = json(server->stats_json());
  CHECK(stats["throttled"].GetUint64() >= 1);
}

TEST_CASE("$batch items are throttled one by one with their own Retry-After") {
  auto options = small_tenant();
  options.throttle_ru = 3;
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  std::string items;
  for (int i = 1; i <= 5; ++i)
    items += (i > 1 ? "," : "") + std::string(R"({"id":")") + std::to_string(i) +
             R"(","method":"GET","url":"/organization"})";
  auto r = c.send("POST", "/v1.0/$batch", {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                  R"({"requests":[)" + items + "]}");
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  int ok = 0, throttled = 0;
  for (auto const& item : doc["responses"].GetArray()) {
    if (item["status"].GetUint() == 200) ++ok;
    if (item["status"].GetUint() == 429) {
      ++throttled;
      CHECK(item["headers"].HasMember("Retry-After"));
    }
  }
  CHECK(ok == 3);
  CHECK(throttled == 2);
}

TEST_CASE("the fault schedule produces each kind of fault on the numbered Graph requests") {
  auto options = small_tenant();
  options.fault_schedule = "1:503,2:500,3:504,4:429,5:malformed,6:reset,7:truncate,8:slow";
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);  // token requests are not numbered
  auto r503 = c.get("/v1.0/users", token);
  CHECK(r503.status == 503);
  CHECK(r503.header("retry-after") == "1");
  CHECK(c.get("/v1.0/users", token).status == 500);
  CHECK(c.get("/v1.0/users", token).status == 504);
  auto r429 = c.get("/v1.0/users", token);
  CHECK(r429.status == 429);
  CHECK_FALSE(r429.header("retry-after").empty());
  auto bad = c.get("/v1.0/users", token);
  CHECK(bad.status == 200);
  CHECK(json(bad.body).HasParseError());
  auto reset = c.get("/v1.0/users", token);
  CHECK(reset.error);
  auto truncated = c.get("/v1.0/users", token);
  CHECK(truncated.error);
  auto slow = c.get("/v1.0/users", token);  // late, but whole
  CHECK(slow.status == 200);
  CHECK_FALSE(json(slow.body).HasParseError());
  // Request 9 is healthy again.
  auto healthy = c.get("/v1.0/users", token);
  CHECK(healthy.status == 200);
  CHECK_FALSE(json(healthy.body).HasParseError());
  auto stats = json(server->stats_json());
  CHECK(stats["faults"]["total"].GetUint64() == 8);
}

TEST_CASE("--tls serves HTTPS with a certificate for 127.0.0.1 that verifies with the written PEM") {
  test_support::temp_dir dir;
  auto options = small_tenant();
  options.tls = true;
  options.cert_out = (dir / "ca.pem").string();
  options.fault_schedule = "2:reset";
  auto server = start(options);
  CHECK(server->url().rfind("https://127.0.0.1:", 0) == 0);
  CHECK(server->ca_pem_path() == options.cert_out);
  std::string const pem = test_support::read_file(options.cert_out);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  REQUIRE(cert != nullptr);
  CHECK(X509_check_ip_asc(cert, "127.0.0.1", 0) == 1);
  X509_free(cert);
  BIO_free(bio);
  client c(server->url(), options.cert_out);  // verify_peer against the written PEM
  std::string const token = token_for(c, *server);
  REQUIRE_FALSE(token.empty());
  auto r = c.get("/v1.0/users?$top=3", token);
  CHECK(r.status == 200);
  CHECK(std::string(json(r.body)["@odata.nextLink"].GetString()).rfind("https://127.0.0.1:", 0) == 0);
  CHECK(c.get("/v1.0/users?$top=3", token).error);          // request 2: reset mid-response
  CHECK(c.get("/v1.0/users?$top=3", token).status == 200);  // a new TLS connection works
}

TEST_CASE("/_sim/stats counts requests by endpoint and status without a token") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  c.get("/v1.0/users?$top=5", token);
  c.get("/v1.0/users?$top=5", token);
  c.get("/v1.0/users/nobody", token);
  c.get("/v1.0/subscribedSkus", token);
  auto r = c.send("GET", "/_sim/stats");
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["requests"]["GET /v1.0/users"]["200"].GetUint64() == 2);
  CHECK(doc["requests"]["GET /v1.0/users/{id}"]["404"].GetUint64() == 1);
  CHECK(doc["requests"]["POST /{tenant}/oauth2/v2.0/token"]["200"].GetUint64() == 1);
  CHECK(doc["ru_charged"].GetUint64() == 1 + 1 + 1 + 3);
  CHECK(doc["total"].GetUint64() == 5);
  CHECK(json(server->stats_json())["total"].GetUint64() == 5);
}

TEST_CASE("64 concurrent connections are all served") {
  auto server = start(small_tenant(50));
  std::string token;
  {
    client c(server->url());
    token = token_for(c, *server);
  }
  std::vector<std::unique_ptr<client>> clients;
  for (int i = 0; i < 64; ++i) {
    clients.push_back(std::make_unique<client>(server->url()));
    clients.back()->send("GET", "/_sim/stats");  // opens the connection and keeps it
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i)
    threads.emplace_back([&, i] {
      for (int k = 0; k < 3; ++k)
        if (clients[static_cast<std::size_t>(i)]->get("/v1.0/users?$top=10", token).status == 200) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 64 * 3);
}

TEST_CASE("clients that disconnect mid-request or send garbage do not stop the server") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  c.send_raw_and_drop("GET /v1.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nhalf");
  c.send_raw_and_drop("POST /v1.0/$batch HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
  c.send_raw_and_drop("\x16\x03\x01 definitely not http\r\n\r\n");
  c.send_raw_and_drop("GET /v1.0/users HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  auto big = c.send("POST", "/v1.0/$batch", {{"Authorization", "Bearer " + token}}, std::string(2u << 20, 'x'));
  CHECK((big.status == 413 || big.error));
  CHECK(c.get("/v1.0/users?$top=1", token).status == 200);
  auto weird_host = c.send("GET", "/v1.0/users?$top=1", {{"Authorization", "Bearer " + token}, {"Host", "evil\"/x"}});
  CHECK(weird_host.status == 200);
  CHECK_FALSE(json(weird_host.body).HasParseError());
}
