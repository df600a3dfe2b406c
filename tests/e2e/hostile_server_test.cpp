// The real binary against a server that misbehaves on purpose: one clear line and the documented exit code, in
// seconds, and no secret anywhere (docs/security.md).
#include "e2e/fake_tenant.hpp"
#include "e2e/sql_probe.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

using e2e::query_text;
using test_fake::reply;
using test_support::run_entra_audit;

namespace {

int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

int count_of(std::string const& text, std::string const& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string one_user() {
  return "[" + e2e::fake_user("00000000-0000-0000-0000-000000000001", "a@fake.test", "Ann", "Sales") + "]";
}

// The token endpoint answers with an access token of n bytes.
e2e::fake_tenant::intercept_fn token_of_size(std::size_t n) {
  return [token = std::string(n, 'T')](const test_fake::request& r) -> std::optional<reply> {
    if (e2e::is_token_request(r)) return reply{200, test_fake::token_body(token)};
    return std::nullopt;
  };
}

const std::string hostile_secret = "a/b+c=d~e%f g\"h";

// Every spelling of hostile_secret a server could echo (docs/security.md), as text to search output for.
std::vector<std::string> spellings_of_hostile_secret() {
  return {hostile_secret, "a%2Fb%2Bc%3Dd~e%25f%20g%22h", "a%2fb%2bc%3dd~e%25f%20g%22h", "a%2Fb%2Bc%3Dd~e%25f+g%22h",
          R"(a\/b+c=d~e%f g\"h)", R"(a/b+c=d~e%f g\"h)",
          // base64("22222222-2222-2222-2222-222222222222:" + secret): HTTP Basic, the secret's own characters
          "OmEvYitjPWR+ZSVmIGciaA"};
}

std::vector<std::string> hostile_env() {
  return {std::string("AZURE_TENANT_ID=") + e2e::fake_tenant_id, std::string("AZURE_CLIENT_ID=") + e2e::fake_client_id,
          "AZURE_CLIENT_SECRET=" + hostile_secret};
}

}  // namespace

TEST_CASE("a 60 KB access token is sent whole and the scan completes") {
  e2e::fake_tenant tenant(one_user(), token_of_size(60'000));
  test_support::temp_dir dir;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), tenant.env(), 120);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  int graph = 0;
  for (auto const& seen : tenant.requests()) {
    if (e2e::is_token_request(seen)) continue;
    ++graph;
    CHECK(seen.headers.at("authorization") == "Bearer " + std::string(60'000, 'T'));
  }
  CHECK(graph >= 4);
}

TEST_CASE("an access token over 65,526 bytes ends the scan within seconds, exit 1, one line naming the limit") {
  e2e::fake_tenant tenant(one_user(), token_of_size(70'000));
  test_support::temp_dir dir;
  auto const started = std::chrono::steady_clock::now();
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), tenant.env(), 60);  // today: hangs
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  CHECK(r.exit_code == 1);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("70000 bytes; at most 65526 fit in an HTTP header") != std::string::npos);
}

TEST_CASE("a Graph error echoing the secret in every encoding leaves it in no output and not in scans.error") {
  std::string echoed;
  for (auto const& s : spellings_of_hostile_secret()) {
    std::string json;  // the spelling as JSON string content
    for (char c : s) json += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    echoed += json + " ";
  }
  e2e::fake_tenant tenant("[]", [echoed](const test_fake::request& r) -> std::optional<reply> {
    if (r.target.starts_with("/v1.0/users"))
      return reply{400, R"({"error":{"code":"Request_BadRequest","message":"you sent )" + echoed + R"("}})"};
    return std::nullopt;
  });
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto r = run_entra_audit(tenant.scan_args(db, {"--verbose"}), hostile_env());
  CHECK(r.exit_code == 1);
  std::string const stored = query_text(db, "SELECT error FROM scans ORDER BY scan_id DESC LIMIT 1");
  CHECK(stored.find("400 Request_BadRequest: you sent [redacted]") != std::string::npos);
  CHECK(r.err.find("you sent [redacted]") != std::string::npos);
  for (auto const& s : spellings_of_hostile_secret()) {
    CAPTURE(s);
    CHECK(r.err.find(s) == std::string::npos);
    CHECK(r.out.find(s) == std::string::npos);
    CHECK(stored.find(s) == std::string::npos);
  }
  CHECK(r.err.find("a%2") == std::string::npos);
}

TEST_CASE("a token endpoint echoing the request body shows the secret in no encoding") {
  e2e::fake_tenant tenant("[]", [](const test_fake::request& r) -> std::optional<reply> {
    if (!e2e::is_token_request(r)) return std::nullopt;
    return reply{400, R"({"error":"invalid_request","error_codes":[900144],"error_description":"AADSTS900144: got )" +
                          r.body + R"("})"};
  });
  test_support::temp_dir dir;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--verbose"}), hostile_env());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("AADSTS900144: got client_id=") != std::string::npos);
  CHECK(r.err.find("client_secret=[redacted]") != std::string::npos);
  for (auto const& s : spellings_of_hostile_secret()) CHECK(r.err.find(s) == std::string::npos);
}

TEST_CASE("a NUL and other C0 controls in a name reach no report raw, JSON escapes them, the database keeps them") {
  // Graph escapes them in JSON: \u0000 is a NUL in the display name as stored.
  auto const users = "[" +
                     e2e::fake_user("00000000-0000-0000-0000-000000000001", "a@fake.test",
                                    R"(A\u0000B\u0007C\u007fD\r\nE)", R"(S\u001b[31m\tT)") +
                     "]";
  e2e::fake_tenant tenant(users);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(query_text(db, "SELECT display_name FROM users") == std::string("A\0B\x07"
                                                                        "C\x7F"
                                                                        "D\r\nE",
                                                                        10));

  std::string const fffd = "\xEF\xBF\xBD";
  auto csv = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.find(",A" + fffd + "B" + fffd + "C" + fffd + "D" + fffd + fffd + "E,") != std::string::npos);
  CHECK(csv.out.find(",S" + fffd + "[31m" + fffd + "T,") != std::string::npos);
  CHECK(test_support::parse_csv(csv.out).size() == 2);  // the header and one row: no line break inside a cell
  auto md = run_entra_audit({"report", "--db", db, "--format", "md"});
  REQUIRE(md.exit_code == 0);
  CHECK(md.out.find("A" + fffd + "B" + fffd + "C" + fffd + "D" + fffd + fffd + "E") != std::string::npos);
  auto html = run_entra_audit({"report", "--db", db, "--format", "html"});
  REQUIRE(html.exit_code == 0);
  // The table's data is JSON inside the page: U+FFFD is written there as its escape.
  CHECK(html.out.find(R"("A\ufffdB\ufffdC\ufffdD\ufffd\ufffdE")") != std::string::npos);
  REQUIRE(run_entra_audit({"report", "--db", db, "--by", "owner", "--out", (dir / "owners").string()}).exit_code == 0);
  std::string const owners = test_support::read_file(dir / "owners" / "unowned.csv");
  CHECK(owners.find("A" + fffd + "B") != std::string::npos);
  std::string const everything = csv.out + owners + md.out + html.out;
  for (char const injected : {'\0', '\x07', '\x1b', '\x7F'})
    CHECK_MESSAGE(everything.find(injected) == std::string::npos, "control ", int(injected));
  CHECK((csv.out + owners).find('\t') == std::string::npos);

  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  CHECK(json.out.find(R"("display_name":"A\u0000B\u0007C)") != std::string::npos);
  CHECK(json.out.find(std::string(1, '\0')) == std::string::npos);
}

TEST_CASE("a redirect on a Graph page ends the scan with exit 1 and one line naming the Location and the fix") {
  e2e::fake_tenant tenant("[]", [](const test_fake::request& r) -> std::optional<reply> {
    if (r.target.starts_with("/v1.0/users"))
      return reply{301, "", {{"Location", "https://graph.example.net/v1.0/users"}}};
    return std::nullopt;
  });
  test_support::temp_dir dir;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), tenant.env());
  CHECK(r.exit_code == 1);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("was redirected (301) to https://graph.example.net/v1.0/users") != std::string::npos);
  CHECK(r.err.find("--graph-endpoint") != std::string::npos);
  int followed = 0;
  for (auto const& seen : tenant.requests()) followed += seen.target.starts_with("/v1.0/users") ? 1 : 0;
  CHECK(followed == 1);
}

TEST_CASE("a redirect from the token endpoint ends the scan naming the Location and the login-host settings") {
  e2e::fake_tenant tenant("[]", [](const test_fake::request& r) -> std::optional<reply> {
    if (e2e::is_token_request(r)) return reply{307, "", {{"Location", "https://wifi.example.net/portal"}}};
    return std::nullopt;
  });
  test_support::temp_dir dir;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), tenant.env());
  CHECK(r.exit_code == 1);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find("was redirected (307) to https://wifi.example.net/portal") != std::string::npos);
  CHECK(r.err.find("--authority-host, AZURE_AUTHORITY_HOST or --cloud") != std::string::npos);
}

TEST_CASE("--timeout bounds each attempt, and every retry is one warning at the default verbosity") {
  auto stalled = std::make_shared<std::atomic<int>>(0);
  e2e::fake_tenant tenant(one_user(), [stalled](const test_fake::request& r) -> std::optional<reply> {
    if (r.target.starts_with("/v1.0/organization") && ++*stalled <= 2) return reply{200, "", {}, reply::action::stall};
    return std::nullopt;
  });
  test_support::temp_dir dir;
  auto const started = std::chrono::steady_clock::now();
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--timeout", "300ms"}), tenant.env());
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
  CHECK(count_of(r.err, " warn ") == 2);
  CHECK(count_of(r.err, "/v1.0/organization?$select=id,displayName: waiting for the response to GET 127.0.0.1:") == 2);
  CHECK(r.err.find("timed out; retrying in ") != std::string::npos);
  CHECK(r.err.find("(attempt 2 of 6)") != std::string::npos);
  CHECK(r.err.find("(attempt 3 of 6)") != std::string::npos);
}

TEST_CASE("a --timeout that is not a positive duration of at most an hour is a usage error naming the flag") {
  for (char const* bad : {"0", "-5s", "abc", "10x", "2h", "", "5 s"}) {
    CAPTURE(bad);
    auto r = run_entra_audit({"scan", "--timeout", bad, "--db", "/nonexistent/a.db"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--timeout") != std::string::npos);
  }
  auto demo = run_entra_audit({"demo", "--timeout", "0"});
  CHECK(demo.exit_code == 2);
  CHECK(demo.err.find("--timeout") != std::string::npos);
}
