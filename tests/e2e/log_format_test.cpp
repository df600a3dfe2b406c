// --log-format json makes every stderr line a JSON object; Azure Identity's conventions pick the credential and
// the cloud (docs/security.md, README "Scanning a real tenant").
#include "e2e/fake_tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

using test_fake::reply;
using test_support::run_entra_audit;

namespace {

struct record {
  std::string level;
  std::string message;
};

// Parses every stderr line as one JSON object with time, level and message; fails the test on any other line.
std::vector<record> json_records(const std::string& err) {
  std::vector<record> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    CAPTURE(line);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    REQUIRE(doc.HasMember("time"));
    REQUIRE(doc.HasMember("level"));
    REQUIRE(doc.HasMember("message"));
    out.push_back({doc["level"].GetString(), doc["message"].GetString()});
  }
  return out;
}

std::string one_user() {
  return "[" + e2e::fake_user("00000000-0000-0000-0000-000000000001", "a@fake.test", "Ann", "Sales") + "]";
}

}  // namespace

TEST_CASE("under --log-format json a scan's records, progress and closing summary are each one JSON line") {
  e2e::fake_tenant tenant(one_user());
  test_support::temp_dir dir;
  auto args = tenant.scan_args((dir / "a.db").string(), {"--log-format", "json", "--verbose"});
  args[4] = "always";  // --progress always: the progress line too
  auto r = run_entra_audit(args, tenant.env());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto const records = json_records(r.err);
  REQUIRE(records.size() >= 3);
  CHECK(records.back().level == "info");
  CHECK(records.back().message.starts_with("scan 1 of Fake complete: 1 users"));
  bool progress = false;
  for (auto const& rec : records) progress = progress || rec.message.starts_with("progress: users 1");
  CHECK(progress);
}

TEST_CASE("under --log-format json a failure's closing line is a JSON error record") {
  e2e::fake_tenant tenant("[]", [](const test_fake::request& r) -> std::optional<reply> {
    if (r.target.starts_with("/v1.0/users")) return reply{503, R"({"error":{"code":"serviceNotAvailable"}})"};
    return std::nullopt;
  });
  test_support::temp_dir dir;
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string(), {"--log-format", "json"}), tenant.env());
  CHECK(r.exit_code == 1);
  auto const records = json_records(r.err);
  REQUIRE(records.size() == 6);  // five retry warnings, then the error
  CHECK(records[0].level == "warn");
  CHECK(records.back().level == "error");
  CHECK(records.back().message.find("503 serviceNotAvailable after 6 attempts") != std::string::npos);
}

TEST_CASE("under --log-format json usage errors found after the option was read are JSON records too") {
  for (auto const& args :
       std::vector<std::vector<std::string>>{{"scan", "--log-format", "json", "--concurrency", "0"},
                                             {"scan", "--log-format=json", "--deadline", "soon"},
                                             {"scan", "--log-format", "json", "--timeout", "never"},
                                             {"report", "--log-format", "json", "--db", "/nonexistent/dir/a.db"},
                                             {"scan", "--log-format", "json", "--no-such-flag"}}) {
    CAPTURE(args[3]);
    auto r = run_entra_audit(args);
    CHECK(r.exit_code == 2);
    auto const records = json_records(r.err);
    REQUIRE(records.size() == 1);
    CHECK(records[0].level == "error");
  }
}

TEST_CASE("with a secret and a certificate in the environment, the secret signs in and one info line names the other") {
  e2e::fake_tenant tenant(one_user());
  test_support::temp_dir dir;
  auto env = tenant.env();
  env.push_back("AZURE_CLIENT_CERTIFICATE_PATH=/nonexistent/app.pem");
  env.push_back("AZURE_FEDERATED_TOKEN_FILE=/nonexistent/token");
  auto r = run_entra_audit(tenant.scan_args((dir / "a.db").string()), env);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find(" info signed in to tenant " + std::string(e2e::fake_tenant_id) + " as app " + e2e::fake_client_id +
                   " with a client secret (AZURE_CLIENT_SECRET); ignored "
                   "AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE") != std::string::npos);
  auto const token_requests = tenant.requests().front();
  CHECK(token_requests.body.find("client_secret=") != std::string::npos);
}

TEST_CASE("AZURE_AUTHORITY_HOST of one cloud with --cloud of another is a usage error naming both") {
  auto r = run_entra_audit({"scan", "--cloud", "china", "--db", "/nonexistent/a.db"},
                           {"AZURE_TENANT_ID=contoso.onmicrosoft.com", "AZURE_CLIENT_ID=app",
                            "AZURE_CLIENT_SECRET=x1234", "AZURE_AUTHORITY_HOST=https://login.microsoftonline.us"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "entra-audit: --cloud china (China cloud) does not match AZURE_AUTHORITY_HOST "
        "'https://login.microsoftonline.us' (US Government cloud): a token from one cloud is refused by the "
        "others — make them agree, or leave one out\n");
}
