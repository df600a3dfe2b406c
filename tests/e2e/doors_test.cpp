// The doors end to end: the real binary scans the emulator with each door open, closed and unknown (403, beta
// unavailable), and the JSON, HTML and Markdown reports show each state and the findings that came through it,
// counted against the emulator's ground truth.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

struct door_seen {
  std::string state, setting, note, close_with;
  std::int64_t findings = -1;
};

// The scan's reports: JSON doors keyed "door" or "door product_id", plus the Markdown and HTML text.
struct reports_seen {
  std::map<std::string, door_seen> doors;
  std::string markdown, html;
};

reports_seen scan_and_report(e2e::emulated_tenant& tenant, const std::vector<std::string>& extra = {}) {
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, extra), tenant.env());
  INFO("scan stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  reports_seen out;
  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc.HasMember("doors"));
  for (auto const& d : doc["doors"].GetArray()) {
    std::string key = d["door"].GetString();
    if (std::string product = d["product_id"].GetString(); !product.empty()) key += " " + product;
    out.doors[key] = {d["state"].GetString(), d["setting"].GetString(), d["note"].GetString(),
                      d["close_with"].GetString(), d["findings"].GetInt64()};
  }
  auto md = run_entra_audit({"report", "--db", db, "--format", "md"});
  REQUIRE(md.exit_code == 0);
  out.markdown = md.out;
  auto html = run_entra_audit({"report", "--db", db, "--format", "html"});
  REQUIRE(html.exit_code == 0);
  out.html = html.out;
  return out;
}

std::map<std::string, std::int64_t> truth_by_origin(const e2e::emulated_tenant& tenant) {
  std::map<std::string, std::int64_t> out;
  for (auto const& t : tenant.truth()) ++out[std::get<3>(t)];
  return out;
}

graphsim::sim_options small(std::uint64_t users = 300) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = 5;
  return o;
}

}  // namespace

TEST_CASE("a new tenant's doors show open in every report with the ground truth's findings through each") {
  e2e::emulated_tenant tenant(small());
  auto const seen = scan_and_report(tenant);
  auto const truth = truth_by_origin(tenant);
  REQUIRE(truth.at("self_service_signup") > 0);
  REQUIRE(truth.at("self_service_trial") > 0);
  REQUIRE(truth.at("self_service_purchase") > 0);
  for (std::string door : {"signup", "email_verified_join", "trials", "office_store"}) {
    CAPTURE(door);
    REQUIRE(seen.doors.contains(door));
    CHECK(seen.doors.at(door).state == "open");
    CHECK(seen.doors.at(door).setting == "true");
  }
  CHECK(seen.doors.at("signup").findings == truth.at("self_service_signup"));
  CHECK(seen.doors.at("trials").findings == truth.at("self_service_trial"));
  CHECK(seen.doors.at("office_store").findings == 0);
  // The emulator's self-service purchases are all Power BI Pro: MSCommerce product CFQ7TTC0H9MP. Without
  // --commerce-policies its state is unknown, never closed.
  REQUIRE(seen.doors.contains("self_service_purchase CFQ7TTC0H9MP"));
  auto const& pbi = seen.doors.at("self_service_purchase CFQ7TTC0H9MP");
  CHECK(pbi.findings == truth.at("self_service_purchase"));
  CHECK(pbi.state == "unknown");
  CHECK(pbi.note.find("--commerce-policies") != std::string::npos);
  CHECK(pbi.close_with ==
        "Update-MSCommerceProductPolicy -PolicyId AllowSelfServicePurchase -ProductId CFQ7TTC0H9MP -Value Disabled");
  CHECK(seen.doors.at("signup").close_with.find("PATCH /v1.0/policies/authorizationPolicy") != std::string::npos);

  CHECK(seen.markdown.find("**Doors**") < seen.markdown.find("| Origin |"));
  CHECK(seen.markdown.find("| Users starting trials on behalf of the organization | Open (true) | " +
                           std::to_string(truth.at("self_service_trial")) + " |") != std::string::npos);
  CHECK(seen.html.find("<h2>Doors</h2>") < seen.html.find("id=\"findings\""));
  CHECK(seen.html.find("<tr class=\"door-open\"><td>Users starting trials on behalf of the organization</td>") !=
        std::string::npos);
}

TEST_CASE("closed doors show closed, and the policy file closes and opens products") {
  auto options = small();
  REQUIRE(graphsim::apply_door(options.doors, "signup=closed").has_value());
  REQUIRE(graphsim::apply_door(options.doors, "email-verified-join=closed").has_value());
  REQUIRE(graphsim::apply_door(options.doors, "trials=closed").has_value());
  REQUIRE(graphsim::apply_door(options.doors, "office-store=closed").has_value());
  e2e::emulated_tenant tenant(options);
  test_support::temp_dir dir;
  auto const policies = dir / "policies.json";
  test_support::write_file(
      policies,
      "[\r\n  {\r\n    \"PolicyId\": \"AllowSelfServicePurchase\",\r\n    \"ProductName\": \"Power BI Pro\",\r\n"
      "    \"ShortDescription\": \"\",\r\n    \"ProductId\": \"CFQ7TTC0H9MP\",\r\n    \"PolicyValue\": \"Disabled\"\r\n"
      "  },\r\n  {\r\n    \"PolicyId\": \"AllowSelfServicePurchase\",\r\n    \"ProductName\": \"Visio Plan 2\",\r\n"
      "    \"ProductId\": \"CFQ7TTC0HD32\",\r\n    \"PolicyValue\": \"OnlyTrialsWithoutPaymentMethod\"\r\n  "
      "}\r\n]\r\n");
  auto const seen = scan_and_report(tenant, {"--commerce-policies", policies.string()});
  auto const truth = truth_by_origin(tenant);
  for (std::string door : {"signup", "email_verified_join", "trials", "office_store"}) {
    CAPTURE(door);
    CHECK(seen.doors.at(door).state == "closed");
    CHECK(seen.doors.at(door).setting == "false");
  }
  // Closing a door stops new licenses; the ones that came through it are still counted.
  CHECK(seen.doors.at("trials").findings == truth.at("self_service_trial"));
  CHECK(seen.doors.at("self_service_purchase CFQ7TTC0H9MP").state == "closed");
  CHECK(seen.doors.at("self_service_purchase CFQ7TTC0H9MP").setting == "Disabled");
  CHECK(seen.doors.at("self_service_purchase CFQ7TTC0H9MP").findings == truth.at("self_service_purchase"));
  CHECK(seen.doors.at("self_service_purchase CFQ7TTC0HD32").state == "open");
  CHECK(seen.doors.at("self_service_purchase CFQ7TTC0HD32").findings == 0);
  CHECK(seen.markdown.find("| Users starting trials on behalf of the organization | Closed (false) |") !=
        std::string::npos);
  CHECK(seen.html.find("<tr class=\"door-closed\"><td>The Office Store</td>") != std::string::npos);
}

TEST_CASE("without the door permissions the scan succeeds and the doors are unknown, naming the permission") {
  auto options = small();
  options.roles = std::vector<std::string>{"User.Read.All", "Organization.Read.All"};
  e2e::emulated_tenant tenant(options);
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db), tenant.env());
  INFO("scan stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.err.find("Policy.Read.All") != std::string::npos);
  CHECK(scan.err.find("OrgSettings-AppsAndServices.Read.All") != std::string::npos);
  auto const seen = scan_and_report(tenant);
  auto const truth = truth_by_origin(tenant);
  for (std::string door : {"signup", "email_verified_join", "trials", "office_store"}) {
    CAPTURE(door);
    CHECK(seen.doors.at(door).state == "unknown");
    CHECK(seen.doors.at(door).note.find("403") != std::string::npos);
  }
  CHECK(seen.doors.at("signup").findings == truth.at("self_service_signup"));
  CHECK(seen.markdown.find("| Self-service sign-up for email-based subscriptions | Unknown: refused (403)") !=
        std::string::npos);
  CHECK(seen.html.find("<tr class=\"door-unknown\"><td>Self-service sign-up") != std::string::npos);
}

TEST_CASE("where the beta appsAndServices endpoint is unavailable the trials doors are unknown, the others read") {
  auto options = small();
  options.cloud = "usgov";
  REQUIRE(graphsim::apply_door(options.doors, "signup=closed").has_value());
  e2e::emulated_tenant tenant(options);
  auto const seen = scan_and_report(tenant);
  CHECK(seen.doors.at("signup").state == "closed");
  CHECK(seen.doors.at("email_verified_join").state == "open");
  for (std::string door : {"trials", "office_store"}) {
    CAPTURE(door);
    CHECK(seen.doors.at(door).state == "unknown");
    CHECK(seen.doors.at(door).note.find("404") != std::string::npos);
  }
  CHECK(seen.doors.at("trials").findings == truth_by_origin(tenant).at("self_service_trial"));
}

TEST_CASE("a malformed --commerce-policies file is refused before the crawl, naming the file and line") {
  e2e::emulated_tenant tenant(small(10));
  test_support::temp_dir dir;
  auto const policies = dir / "policies.json";
  test_support::write_file(policies, "{\n  \"ProductId\": \"CFQ7TTC0H9MP\",\n  \"PolicyValue\": Disabled\n}\n");
  std::string const db = (dir / "audit.db").string();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--commerce-policies", policies.string()}), tenant.env());
  CHECK(scan.exit_code == 2);
  CHECK(scan.err.find(policies.string() + "' line 3") != std::string::npos);
  CHECK(e2e::graph_requests(tenant.stats_json()) == 0);
}

TEST_CASE("diff reports a door that closed between two snapshots") {
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  {
    e2e::emulated_tenant open_tenant(small(20));
    auto scan = run_entra_audit(open_tenant.scan_args(db), open_tenant.env());
    REQUIRE(scan.exit_code == 0);
  }
  auto options = small(20);
  REQUIRE(graphsim::apply_door(options.doors, "trials=closed").has_value());
  e2e::emulated_tenant closed_tenant(options);
  auto scan = run_entra_audit(closed_tenant.scan_args(db), closed_tenant.env());
  REQUIRE(scan.exit_code == 0);
  auto diff = run_entra_audit({"diff", "--db", db});
  INFO(diff.err);
  REQUIRE(diff.exit_code == 0);
  CHECK(diff.out.find("door trials: open \u2192 closed (closed)") != std::string::npos);
  CHECK(diff.out.find("door signup") == std::string::npos);
  auto json = run_entra_audit({"diff", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  rapidjson::Document doc;
  doc.Parse(json.out.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(doc["doors"].Size() == 1);
  CHECK(std::string(doc["doors"][0]["door"].GetString()) == "trials");
  CHECK(std::string(doc["doors"][0]["to_state"].GetString()) == "closed");
}

TEST_CASE("scan --fail-on door-open exits 3 while a door is open and 0 once every door is closed") {
  test_support::temp_dir dir;
  {
    e2e::emulated_tenant open_tenant(small(20));
    auto scan = run_entra_audit(open_tenant.scan_args((dir / "open.db").string(), {"--fail-on", "door-open"}),
                                open_tenant.env());
    INFO(scan.err);
    CHECK(scan.exit_code == 3);
  }
  auto options = small(20);
  for (auto const* door : {"signup=closed", "email-verified-join=closed", "trials=closed", "office-store=closed"})
    REQUIRE(graphsim::apply_door(options.doors, door).has_value());
  e2e::emulated_tenant closed_tenant(options);
  auto scan = run_entra_audit(closed_tenant.scan_args((dir / "closed.db").string(), {"--fail-on", "door-open"}),
                              closed_tenant.env());
  INFO(scan.err);
  CHECK(scan.exit_code == 0);
}

TEST_CASE("a door that a night of churn flips is seen by the next scan and by diff, and the truth still holds") {
  e2e::emulated_tenant tenant(small(200));
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  REQUIRE(run_entra_audit(tenant.scan_args(db), tenant.env()).exit_code == 0);

  // Nights until one flips a door (3 % per door and night, drawn from the seed: the same night on every run).
  rapidjson::Document night;
  for (int n = 0; n < 200; ++n) {
    night.Parse(tenant.advance("0.02").c_str());
    REQUIRE_FALSE(night.HasParseError());
    if (!night["doors_flipped"].Empty()) break;
  }
  REQUIRE_FALSE(night["doors_flipped"].Empty());
  CAPTURE(night["night"].GetUint64());

  auto scan = run_entra_audit(tenant.scan_args(db), tenant.env());
  INFO("scan stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  auto json = run_entra_audit({"report", "--db", db, "--format", "json"});
  REQUIRE(json.exit_code == 0);
  rapidjson::Document report;
  report.Parse(json.out.c_str());
  REQUIRE_FALSE(report.HasParseError());
  std::map<std::string, std::string> seen;
  for (auto const& d : report["doors"].GetArray()) seen[d["door"].GetString()] = d["state"].GetString();
  // The emulator names doors as --door does; the scanner as docs/design.md §7 does.
  std::map<std::string, std::string> const scanner_name{{"signup", "signup"},
                                                        {"email-verified-join", "email_verified_join"},
                                                        {"trials", "trials"},
                                                        {"office-store", "office_store"}};
  for (auto const& [sim_name, name] : scanner_name) {
    CAPTURE(name);
    CHECK(seen[name] == night["doors"][sim_name.c_str()].GetString());
  }

  auto diff = run_entra_audit({"diff", "--db", db});
  INFO(diff.out);
  REQUIRE(diff.exit_code == 0);
  for (auto const& flipped : night["doors_flipped"].GetArray()) {
    std::string const sim_name = flipped.GetString();
    std::string const now = night["doors"][sim_name.c_str()].GetString();
    std::string const before = now == "open" ? "closed" : "open";
    CHECK(diff.out.find("door " + scanner_name.at(sim_name) + ": " + before + " \u2192 " + now) != std::string::npos);
  }
  auto csv = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  CHECK(e2e::finding_keys(csv.out) == tenant.truth());
}
