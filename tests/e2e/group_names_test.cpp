// The names of the groups behind group_inherited findings (group_names, docs/design.md §4.1): read once per group
// after the listing when the application may (GroupMember.Read.All), and otherwise left empty without failing.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <tuple>
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

}  // namespace

TEST_CASE("e2e: group_inherited findings name their groups as Graph names them, streamed or audited whole") {
  e2e::emulated_tenant sim(tenant(std::nullopt));
  for (std::string mode : {"derived", "fetch"}) {  // fetch audits the whole snapshot after the listing
    CAPTURE(mode);
    test_support::temp_dir dir;
    std::string const db = (dir / "a.db").string();
    auto scan = run_entra_audit(sim.scan_args(db, {"--license-details", mode}), sim.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    auto report = run_entra_audit({"report", "--db", db, "--format", "csv"});
    REQUIRE(report.exit_code == 0);
    auto const found = group_rows(report.out);
    CHECK(found == group_rows(sim.truth_csv()));
    int named = 0;
    for (const auto& [user, sku, ids, names] : found) named += names.empty() ? 0 : 1;
    CHECK(named > 0);
    CHECK(report.out.find("Équipe Support, Niveau 2") != std::string::npos);  // non-ASCII, a comma: one cell

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
