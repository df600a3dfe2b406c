// The door reads (docs/design.md §7) against a server that answers them badly on purpose: the scan still
// succeeds, the doors are unknown with a note that says why, no answer hangs the scan, and no secret shows.
#include "e2e/fake_tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

using test_fake::reply;
using test_support::run_entra_audit;

namespace {

const std::string secret = "door-test-secret/+=value";

std::vector<std::string> secret_env() {
  return {std::string("AZURE_TENANT_ID=") + e2e::fake_tenant_id, std::string("AZURE_CLIENT_ID=") + e2e::fake_client_id,
          "AZURE_CLIENT_SECRET=" + secret};
}

bool is_door_read(const test_fake::request& r) {
  return r.target.starts_with("/v1.0/policies/authorizationPolicy") ||
         r.target.starts_with("/beta/admin/appsAndServices");
}

struct door_seen {
  std::string state, note;
};

struct scan_seen {
  std::map<std::string, door_seen> doors;
  std::string out, err, report;
  std::chrono::steady_clock::duration took{};
};

// Scans a one-user tenant whose door reads are answered by answer (policy: authorizationPolicy; apps:
// appsAndServices), with --timeout 1s, and reads the doors back from the JSON report.
scan_seen scan_with_doors(reply policy, reply apps) {
  e2e::fake_tenant tenant(
      "[" + e2e::fake_user("00000000-0000-0000-0000-000000000001", "a@fake.test", "Ann", "Sales") + "]",
      [policy, apps](const test_fake::request& r) -> std::optional<reply> {
        if (!is_door_read(r)) return std::nullopt;
        return r.target.starts_with("/beta/") ? apps : policy;
      });
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  scan_seen out;
  auto const started = std::chrono::steady_clock::now();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--timeout", "1s", "--verbose"}), secret_env(), 120);
  out.took = std::chrono::steady_clock::now() - started;
  out.out = scan.out;
  out.err = scan.err;
  INFO("scan stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  out.report = json.out + test_support::read_file(dir / "a.db");
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  for (auto const& d : doc["doors"].GetArray())
    out.doors[d["door"].GetString()] = {d["state"].GetString(), d["note"].GetString()};
  return out;
}

// Neither the client secret nor the access token reaches the scan's output, its report or its database.
void check_no_secret(const scan_seen& seen) {
  for (std::string const& s : {secret, std::string("fake.access.token")}) {
    CAPTURE(s);
    CHECK(seen.out.find(s) == std::string::npos);
    CHECK(seen.err.find(s) == std::string::npos);
    CHECK(seen.report.find(s) == std::string::npos);
  }
}

void check_unknown(const scan_seen& seen, const std::vector<std::string>& doors, const std::string& note) {
  for (auto const& door : doors) {
    CAPTURE(door);
    REQUIRE(seen.doors.contains(door));
    CHECK(seen.doors.at(door).state == "unknown");
    CHECK_MESSAGE(seen.doors.at(door).note.find(note) != std::string::npos, seen.doors.at(door).note);
  }
}

const std::vector<std::string> policy_doors{"signup", "email_verified_join"};
const std::vector<std::string> apps_doors{"trials", "office_store"};

}  // namespace

TEST_CASE("door reads answered with malformed JSON leave the doors unknown, saying the body cannot be parsed") {
  auto const seen = scan_with_doors(reply{200, R"({"allowedToSignUpEmailBasedSubscriptions": tru)"},
                                    reply{200, R"({"value": {"settings": {"isOfficeStoreEnabled": false,)"});
  check_unknown(seen, policy_doors, "could not be read: ");
  check_unknown(seen, apps_doors, "could not be read: ");
  check_unknown(seen, policy_doors, "invalid response body: cannot parse authorizationPolicy");
  check_unknown(seen, apps_doors, "invalid response body: cannot parse appsAndServices");
  CHECK(seen.took < std::chrono::seconds(60));
  check_no_secret(seen);
}

TEST_CASE("door settings of the wrong type leave their doors unknown, naming the property and what came") {
  auto const seen = scan_with_doors(
      reply{200, R"({"allowedToSignUpEmailBasedSubscriptions":"yes","allowEmailVerifiedUsersToJoinOrganization":1})"},
      reply{200, R"({"value":{"settings":"enabled"}})"});
  check_unknown(seen, {"signup"},
                "Graph returned allowedToSignUpEmailBasedSubscriptions as a string, not true or false");
  check_unknown(seen, {"email_verified_join"},
                "Graph returned allowEmailVerifiedUsersToJoinOrganization as a number, not true or false");
  check_unknown(seen, apps_doors, "Graph returned settings as a string, not an object");
  check_no_secret(seen);

  auto const partly = scan_with_doors(
      reply{200,
            R"({"allowedToSignUpEmailBasedSubscriptions":false,"allowEmailVerifiedUsersToJoinOrganization":null})"},
      reply{200, R"({"settings":{"isAppAndServicesTrialEnabled":"true","isOfficeStoreEnabled":true}})"});
  CHECK(partly.doors.at("signup").state == "closed");
  check_unknown(partly, {"email_verified_join"}, "Graph did not return allowEmailVerifiedUsersToJoinOrganization");
  check_unknown(partly, {"trials"}, "Graph returned isAppAndServicesTrialEnabled as a string");
  CHECK(partly.doors.at("office_store").state == "open");
}

TEST_CASE("door reads answered 200 with an HTML page (a proxy's sign-in page) leave the doors unknown") {
  reply const html{200,
                   "<html><body><form action=\"/login\">Sign in to the proxy</form></body></html>",
                   {{"Content-Type", "text/html"}}};
  auto const seen = scan_with_doors(html, html);
  check_unknown(seen, policy_doors, "invalid response body: cannot parse authorizationPolicy");
  check_unknown(seen, apps_doors, "invalid response body: cannot parse appsAndServices");
  CHECK(seen.doors.at("signup").note.find("<form") == std::string::npos);
  check_no_secret(seen);
}

TEST_CASE("door reads that never answer, or whose body never ends, time out: the scan ends, doors unknown") {
  for (auto const act : {reply::action::stall, reply::action::endless}) {
    CAPTURE(static_cast<int>(act));
    auto const seen = scan_with_doors(reply{200, R"({"allowedToSignUpEmailBasedSubscriptions":true,)", {}, act},
                                      reply{200, R"({"value":{"settings":{)", {}, act});
    check_unknown(seen, policy_doors, "could not be read: ");
    check_unknown(seen, apps_doors, "could not be read: ");
    check_unknown(seen, policy_doors, "timed out");
    // Six attempts of 1 s each and their back-off, both reads side by side: well under a minute.
    CHECK(seen.took < std::chrono::seconds(60));
    check_no_secret(seen);
  }
}
