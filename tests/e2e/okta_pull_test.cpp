// ingest --okta-org-url against a scripted Okta org on 127.0.0.1 over TLS: paging by Link rel="next", a 429 in the
// middle, every event stored once, and the API token in no output and not in the database.
#include "scanner/fake_graph.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>

using test_support::run_entra_audit;

namespace {

std::string event(int n) {
  return fmt::format(
      R"({{"uuid":"okta-{}","published":"2026-11-24T02:{:02}:00.000Z","eventType":"application.provision.user.)"
      R"(push_profile","outcome":{{"result":"FAILURE","reason":"httpStatusCode=403 errorCode=Authorization_)"
      R"(RequestDenied request-id=r-{} url=https://graph.microsoft.com/v1.0/users/92f1db1e-ea81-4537-b437-)"
      R"(c299523de9{:02}/microsoft.graph.assignLicense"}},"target":[]}})",
      n, n, n, n);
}

std::string everything_in(const std::filesystem::path& db) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.string().c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT * FROM idp_events", -1, &stmt, nullptr) == SQLITE_OK);
  std::string all;
  int rows = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    ++rows;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i)
      if (auto const* t = sqlite3_column_text(stmt, i)) all += reinterpret_cast<const char*>(t) + std::string("|");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return fmt::format("{} rows: {}", rows, all);
}

// A self-signed certificate for 127.0.0.1 made by the openssl CLI (this binary does not link the scanner's test PKI).
test_pki::pem_pair loopback_certificate(const test_support::temp_dir& dir) {
  auto const key = (dir / "okta-key.pem").string(), cert = (dir / "okta-cert.pem").string();
  std::string const command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
      "subjectAltName=IP:127.0.0.1 -keyout '" +
      key + "' -out '" + cert + "' 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  return {test_support::read_file(cert), test_support::read_file(key)};
}

}  // namespace

TEST_CASE("ingest from Okta over TLS follows Link rel=next, waits out a 429 and stores every event once") {
  test_support::temp_dir dir;
  auto const certificate = loopback_certificate(dir);
  test_support::write_file(dir / "ca.pem", certificate.cert);
  std::string const token = "00TestOktaToken-4f9a1c7e2b";
  std::atomic<int> calls{0};
  std::string base;
  test_fake::server okta(
      [&](const test_fake::request& r) -> test_fake::reply {
        int const call = ++calls;
        if (r.headers.count("authorization") == 0 || r.headers.at("authorization") != "SSWS " + token)
          return {401, R"({"errorCode":"E0000011","errorSummary":"Invalid token provided"})"};
        auto const reset = std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count() +
            1);
        if (r.target.find("after=page2") != std::string::npos) {
          if (call == 2)
            return {
                429, R"({"errorCode":"E0000047"})", {{"X-Rate-Limit-Remaining", "0"}, {"X-Rate-Limit-Reset", reset}}};
          return {200, "[" + event(3) + "," + event(4) + "]", {{"X-Rate-Limit-Remaining", "10"}}};
        }
        return {200,
                "[" + event(1) + "," + event(2) + "]",
                {{"Link", "<" + base + "/api/v1/logs?limit=1000&after=page1>; rel=\"self\""},
                 {"Link", "<" + base + "/api/v1/logs?limit=1000&after=page2>; rel=\"next\""},
                 {"X-Rate-Limit-Remaining", "10"},
                 {"X-Rate-Limit-Reset", reset}}};
      },
      certificate);
  base = okta.url();
  std::string const db = (dir / "a.db").string();
  auto r = run_entra_audit({"ingest", "--db", db, "--okta-org-url", base, "--ca-file", (dir / "ca.pem").string(),
                            "--since", "2026-11-24T00:00:00Z"},
                           {"OKTA_API_TOKEN=" + token});
  INFO(r.out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("2 pages, 1 answered 429): 4 license pushes read (4 new, 0 already stored)") != std::string::npos);
  CHECK(calls.load() == 3);
  auto const requests = okta.requests();
  REQUIRE_FALSE(requests.empty());
  CHECK(requests[0].target.find("/api/v1/logs?limit=1000") == 0);
  CHECK(requests[0].target.find("filter=eventType%20eq%20%22application.provision.user.push_profile%22") !=
        std::string::npos);
  CHECK(requests[0].target.find("since=2026-11-24T00%3A00%3A00Z") != std::string::npos);
  auto const stored = everything_in(dir / "a.db");
  CHECK(stored.find("4 rows") == 0);
  for (std::string const& text : {r.out, r.err, stored}) CHECK(text.find(token) == std::string::npos);

  auto again = run_entra_audit({"ingest", "--db", db, "--okta-org-url", base, "--ca-file", (dir / "ca.pem").string()},
                               {"OKTA_API_TOKEN=" + token});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("(0 new, 4 already stored)") != std::string::npos);

  auto refused = run_entra_audit({"ingest", "--db", db, "--okta-org-url", base, "--ca-file", (dir / "ca.pem").string()},
                                 {"OKTA_API_TOKEN=wrong-token-value"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("OKTA_API_TOKEN") != std::string::npos);
  CHECK(refused.err.find("wrong-token-value") == std::string::npos);

  auto no_token = run_entra_audit({"ingest", "--db", db, "--okta-org-url", base});
  CHECK(no_token.exit_code == 2);
  CHECK(no_token.err.find("set OKTA_API_TOKEN") != std::string::npos);
}
