// The managed identity endpoints (docs/design.md §2.2) played by a server that answers badly on purpose, on
// 127.0.0.1 through the override variables: one line naming the cause and the fix, in seconds, and neither the
// identity header nor a token anywhere in the output.
#include "e2e/fake_tenant.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using test_fake::reply;
using test_support::run_entra_audit;

namespace {

const std::string identity_header = "hdr-9f8e7d6c5b4a/+=secret";
const std::string token_value = "eyJ0.hostile-identity-token.c2ln";

int count_lines(std::string const& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }
bool has(std::string const& text, std::string const& what) { return text.find(what) != std::string::npos; }

enum class source { imds, app_service };

struct identity_run {
  test_support::run_result result;
  std::chrono::steady_clock::duration took{};
  std::vector<test_fake::request> seen;
};

// `scan --credential managed-identity -q --timeout 1s` with the identity endpoint played by answer; Graph is a
// fake tenant that would accept any token.
identity_run sign_in_with(source from, reply answer) {
  e2e::fake_tenant graph;
  test_fake::server endpoint([answer](const test_fake::request&) { return answer; });
  test_support::temp_dir dir, empty;
  std::vector<std::string> env{"PATH=" + empty.path().string()};
  if (from == source::imds) {
    env.push_back("AZURE_POD_IDENTITY_AUTHORITY_HOST=" + endpoint.url());
  } else {
    env.push_back("IDENTITY_ENDPOINT=" + endpoint.url() + "/msi/token");
    env.push_back("IDENTITY_HEADER=" + identity_header);
  }
  identity_run out;
  auto const started = std::chrono::steady_clock::now();
  out.result = run_entra_audit(
      graph.scan_args((dir / "a.db").string(), {"--credential", "managed-identity", "--timeout", "1s", "-q"}), env,
      120);
  out.took = std::chrono::steady_clock::now() - started;
  out.seen = endpoint.requests();
  return out;
}

void check_clean(const identity_run& r) {
  CAPTURE(r.result.err);
  CHECK(count_lines(r.result.err) == 1);
  CHECK(r.took < std::chrono::seconds(60));
  for (std::string const& s : {identity_header, token_value}) {
    CHECK_FALSE(has(r.result.err, s));
    CHECK_FALSE(has(r.result.out, s));
  }
  CHECK_FALSE(r.seen.empty());
}

std::string fix_for(source from) {
  return from == source::imds ? "check that AZURE_POD_IDENTITY_AUTHORITY_HOST or IMDS_ENDPOINT, when set, names "
                                "Azure's instance metadata service, or choose another --credential"
                              : "check that IDENTITY_ENDPOINT names the platform's identity endpoint";
}

}  // namespace

TEST_CASE("an identity endpoint answering 200 with malformed JSON: exit 1, one line with the cause and the fix") {
  for (auto const from : {source::imds, source::app_service}) {
    CAPTURE(static_cast<int>(from));
    auto r = sign_in_with(from, reply{200, R"({"access_token":")" + token_value + R"(","expires_on":)"});
    check_clean(r);
    CHECK(r.result.exit_code == 1);
    CHECK(has(r.result.err, "answered 200 with a body that is not a JSON object"));
    CHECK(has(r.result.err, fix_for(from)));
    CHECK(r.seen.size() == 1);  // the same endpoint would answer the same: not asked again
  }
}

TEST_CASE("an identity token without expires_on or expires_in is refused: exit 1, one line, the token not shown") {
  for (auto const from : {source::imds, source::app_service}) {
    CAPTURE(static_cast<int>(from));
    auto r = sign_in_with(from, reply{200, R"({"access_token":")" + token_value + R"(","token_type":"Bearer"})"});
    check_clean(r);
    CHECK(r.result.exit_code == 1);
    CHECK(has(r.result.err, "without expires_on or expires_in: the token's lifetime is unknown"));
    CHECK(has(r.result.err, fix_for(from)));
  }
}

TEST_CASE("an identity endpoint answering an HTML 500 every time: retried, then one line saying so and the fix") {
  for (auto const from : {source::imds, source::app_service}) {
    CAPTURE(static_cast<int>(from));
    auto r = sign_in_with(from, reply{500,
                                      "<html><body>Internal error " + identity_header + "</body></html>",
                                      {{"Content-Type", "text/html"}}});
    check_clean(r);
    CHECK(r.result.exit_code == 1);
    CHECK(has(r.result.err, ": HTTP 500 after 6 attempts — try again later; if it persists, " + fix_for(from)));
    CHECK_FALSE(has(r.result.err, "<html"));
    CHECK(r.seen.size() == 6);
  }
}

TEST_CASE("an identity endpoint that never answers: exit 2 within the timeout, one line naming the fix") {
  for (auto const from : {source::imds, source::app_service}) {
    CAPTURE(static_cast<int>(from));
    auto r = sign_in_with(from, reply{200, "", {}, reply::action::stall});
    check_clean(r);
    CHECK(r.result.exit_code == 2);
    CHECK(has(r.result.err, "timed out"));
    CHECK(has(r.result.err, "choose another --credential"));
    CHECK(r.took < std::chrono::seconds(15));
  }
}

TEST_CASE("the App Service identity header is sent, and a refusal echoing it prints it in no encoding") {
  auto r = sign_in_with(source::app_service, reply{400, R"({"statusCode":400,"message":"bad X-IDENTITY-HEADER )" +
                                                            identity_header + R"("})"});
  check_clean(r);
  CHECK(r.result.exit_code == 2);
  CHECK(has(r.result.err, "HTTP 400: bad X-IDENTITY-HEADER [redacted]"));
  REQUIRE(r.seen.size() == 1);
  CHECK(r.seen[0].headers.at("x-identity-header") == identity_header);
  for (std::string const& encoded :
       {std::string("hdr-9f8e7d6c5b4a%2F%2B%3Dsecret"), std::string("hdr-9f8e7d6c5b4a\\/")})
    CHECK_FALSE(has(r.result.err, encoded));
}
