// The names of the groups behind group_inherited findings (group_names, docs/design.md §4.1): listed ahead of the
// users when Graph serves the filter, else read once per group after the listing, when the application may
// (GroupMember.Read.All), and otherwise left empty without failing.
#include "e2e/emulated_tenant.hpp"
#include "e2e/sql_probe.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using test_support::run_entra_audit;

namespace {

// (user id, sku id, group_ids, group_names) of every row of a findings CSV.
using group_row = std::tuple<std::string, std::string, std::string, std::string>;

std::set<group_row> group_rows(const std::string& csv) {
  auto const rows = test_support::parse_csv(csv);
  REQUIRE_FALSE(rows.empty());
  REQUIRE(rows[0].back() == "group_names");
  std::set<group_row> out;
  for (std::size_t r = 1; r < rows.size(); ++r) out.emplace(rows[r][1], rows[r][7], rows[r][14], rows[r].back());
  return out;
}

graphsim::sim_options tenant(std::optional<std::vector<std::string>> roles) {
  graphsim::sim_options o;
  o.users = 400;
  o.seed = 21;
  o.roles = std::move(roles);
  return o;
}

// The findings report of the scan in db names each group as the emulator's truth does, and names some; returns it.
std::string check_named_as_truth(const std::string& db, const e2e::emulated_tenant& sim) {
  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(report.exit_code == 0);
  auto const found = group_rows(report.out);
  CHECK(found == group_rows(sim.truth_csv()));
  int named = 0;
  for (const auto& [user, sku, ids, names] : found) named += names.empty() ? 0 : 1;
  CHECK(named > 0);
  return report.out;
}

// The groups stored with scan 1, and the groups its stored license states name: each ';'-joined in id order.
std::pair<std::string, std::string> stored_and_stated_groups(const std::string& db) {
  return {
      e2e::query_text(db, "SELECT group_concat(id, ';') FROM (SELECT id FROM groups WHERE scan_id = 1 ORDER BY id)"),
      e2e::query_text(db,
                      "SELECT group_concat(g, ';') FROM (SELECT DISTINCT lower(assigned_by_group) AS g FROM "
                      "license_states WHERE scan_id = 1 AND assigned_by_group <> '' ORDER BY 1)")};
}

// A --verbose scan of sim into db, required to succeed (its log in the failure message).
test_support::run_result verbose_scan(const e2e::emulated_tenant& sim, const std::string& db) {
  auto scan = run_entra_audit(sim.scan_args(db, {"--verbose"}), sim.env());
  REQUIRE_MESSAGE(scan.exit_code == 0, scan.err);
  return scan;
}

// Requests per endpoint label and status in the emulator's log ("GET /v1.0/groups/{id}" -> 200 -> n).
std::map<std::string, std::map<std::string, long>> requests_by_endpoint(const std::string& stats_json) {
  rapidjson::Document doc;
  doc.Parse(stats_json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  std::map<std::string, std::map<std::string, long>> out;
  for (auto const& e : doc["requests"].GetObject())
    for (auto const& st : e.value.GetObject()) out[e.name.GetString()][st.name.GetString()] = st.value.GetInt64();
  return out;
}

}  // namespace

TEST_CASE(
    "e2e: a scan lists the licensing groups ahead of the users and names each finding as it makes it: no group "
    "is read by id and no stored finding is rewritten") {
  e2e::emulated_tenant sim(tenant(std::nullopt));
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto const scan = verbose_scan(sim, db);
  INFO(scan.err);
  auto const requests = requests_by_endpoint(sim.stats_json());
  REQUIRE(requests.contains("GET /v1.0/groups"));
  CHECK(requests.at("GET /v1.0/groups").size() == 1);  // every one answered 200
  CHECK(requests.at("GET /v1.0/groups").contains("200"));
  CHECK_FALSE(requests.contains("GET /v1.0/groups/{id}"));
  CHECK(scan.err.find("audited scan 1 as it was crawled") != std::string::npos);
  CHECK(scan.err.find("rewritten") == std::string::npos);
  CHECK(scan.err.find("not listed ahead") == std::string::npos);
  check_named_as_truth(db, sim);
  // The groups kept are those its pages met as they were stored: exactly those the stored states name.
  auto const [stored, stated] = stored_and_stated_groups(db);
  CHECK_FALSE(stated.empty());
  CHECK(stored == stated);
}

TEST_CASE(
    "e2e: where Graph refuses the groups' license filter, the names are read by id after the listing and named in "
    "the stored findings, one line saying why") {
  auto options = tenant(std::nullopt);
  options.quirks.no_group_license_filter = true;
  e2e::emulated_tenant sim(options);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto const scan = verbose_scan(sim, db);
  INFO(scan.err);
  auto const requests = requests_by_endpoint(sim.stats_json());
  CHECK(requests.at("GET /v1.0/groups").contains("400"));
  CHECK(requests.at("GET /v1.0/groups/{id}").contains("200"));
  CHECK(scan.err.find("licensing groups not listed ahead of the users") != std::string::npos);
  CHECK(scan.err.find("Request_UnsupportedQuery") != std::string::npos);
  CHECK(scan.err.find("rewritten") != std::string::npos);
  check_named_as_truth(db, sim);
}

TEST_CASE("e2e: group_inherited findings name their groups as Graph names them, streamed or audited whole") {
  e2e::emulated_tenant sim(tenant(std::nullopt));
  for (std::string mode : {"derived", "fetch"}) {  // fetch audits the whole snapshot after the listing
    CAPTURE(mode);
    test_support::temp_dir dir;
    std::string const db = (dir / "a.db").string();
    auto scan = run_entra_audit(sim.scan_args(db, {"--license-details", mode}), sim.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    auto const report = check_named_as_truth(db, sim);
    CHECK(report.find("Équipe Support, Niveau 2") != std::string::npos);  // non-ASCII, a comma: one cell

    auto md = run_entra_audit({"report", "--db", db, "--format", "md"});
    REQUIRE(md.exit_code == 0);
    CHECK(md.out.find("**Licensing groups**") != std::string::npos);
    CHECK(md.out.find("| Frontline workers F3 |") != std::string::npos);
  }
}

TEST_CASE(
    "e2e: without GroupMember.Read.All the scan succeeds, group names stay empty and the log names the permission") {
  e2e::emulated_tenant sim(tenant(std::vector<std::string>{"User.Read.All", "Organization.Read.All"}));
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto scan = run_entra_audit(sim.scan_args(db), sim.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.err.find("GroupMember.Read.All") != std::string::npos);
  auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(report.exit_code == 0);
  auto const found = group_rows(report.out);
  CHECK(found == group_rows(sim.truth_csv()));
  bool any_group = false;
  for (const auto& [user, sku, ids, names] : found) {
    CHECK(names.empty());
    any_group = any_group || !ids.empty();
  }
  CHECK(any_group);
  auto md = run_entra_audit({"report", "--db", db, "--format", "md"});
  CHECK(md.out.find("**Licensing groups**") == std::string::npos);
}
