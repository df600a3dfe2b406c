#include "reports/detail/changes.hpp"

#include "reports/fail_on.hpp"
#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

namespace {

using reports_test::make_finding;
using reports_test::ok;
using reports_test::source_of;

std::string render(const reports::snapshot_changes& changes, bool has_previous = true) {
  test_support::temp_dir dir;
  auto const path = (dir / "changes.md").string();
  storage::scan_info from, to;
  from.scan_id = 1;
  to.scan_id = 2;
  to.tenant_id = from.tenant_id = "11111111-2222-3333-4444-555555555555";
  auto out = reports::output_file::open(path);
  REQUIRE(ok(out));
  reports::render_changes_md(has_previous ? &from : nullptr, to, changes, *out);
  REQUIRE(ok(out->commit()));
  REQUIRE(std::filesystem::exists(path));
  return test_support::read_file(path);
}

}  // namespace

TEST_CASE("a finding is its user, SKU and origin: a changed origin is one finding resolved and one new") {
  std::vector<storage::finding_record> before{
      make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase"),
      make_finding(2, "b@contoso.com", "B", "PROJECTPROFESSIONAL", "mixed_ownership"),
      make_finding(3, "c@contoso.com", "C", "FLOW_FREE", "self_service_signup")};
  std::vector<storage::finding_record> after{
      make_finding(2, "b@contoso.com", "B", "PROJECTPROFESSIONAL", "partner_managed"),
      make_finding(3, "c@contoso.com", "C", "FLOW_FREE", "self_service_signup"),
      make_finding(4, "d@contoso.com", "D", "POWER_BI_PRO", "group_inherited")};
  auto changes = reports::compute_changes(source_of(before), source_of(after));
  REQUIRE(ok(changes));
  REQUIRE(changes->added.size() == 2);
  CHECK(changes->added[0].user_principal_name == "b@contoso.com");
  CHECK(changes->added[0].origin == "partner_managed");
  CHECK(changes->added[1].user_principal_name == "d@contoso.com");
  REQUIRE(changes->resolved.size() == 2);
  CHECK(changes->resolved[0].user_principal_name == "a@contoso.com");
  CHECK(changes->resolved[1].origin == "mixed_ownership");
  CHECK(changes->newly_refused.empty());
}

TEST_CASE("users newly refused are those with a 403 or 400 refusal now and none before") {
  std::vector<storage::finding_record> before{
      make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase", "removal_refused_403"),
      make_finding(2, "b@contoso.com", "B", "FLOW_FREE", "self_service_signup", "removal_may_be_refused")};
  std::vector<storage::finding_record> after{
      make_finding(1, "a@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase", "removal_refused_403"),
      make_finding(2, "b@contoso.com", "B", "FLOW_FREE", "self_service_signup", "removal_may_be_refused"),
      make_finding(2, "b@contoso.com", "B", "POWER_BI_PRO", "group_inherited", "removal_refused_400"),
      make_finding(3, "c@contoso.com", "C", "FLOW_FREE", "self_service_signup", "removal_may_be_refused")};
  auto changes = reports::compute_changes(source_of(before), source_of(after));
  REQUIRE(ok(changes));
  REQUIRE(changes->newly_refused.size() == 1);
  CHECK(changes->newly_refused[0].user_principal_name == "b@contoso.com");
  CHECK(changes->newly_refused[0].outcomes == "removal_refused_400");
}

TEST_CASE("the changes Markdown lists new, resolved and newly blocked, and is empty when nothing changed") {
  std::vector<storage::finding_record> same{
      make_finding(1, "a_b@contoso.com", "A", "POWER_BI_PRO", "self_service_purchase", "removal_refused_403")};
  auto none = reports::compute_changes(source_of(same), source_of(same));
  REQUIRE(ok(none));
  CHECK(none->empty());
  CHECK(render(*none).empty());

  auto first = reports::compute_changes(reports::no_findings(), source_of(same));
  REQUIRE(ok(first));
  auto const md = render(*first, false);
  CHECK(md.find("the tenant's first") != std::string::npos);
  CHECK(md.find("1 new finding, 0 resolved, 1 user newly blocked.") != std::string::npos);
  CHECK(md.find("| a\\_b@contoso.com | removal\\_refused\\_403 |") != std::string::npos);
  CHECK(md.find("**New findings (1)**") != std::string::npos);
  CHECK(md.find("| a\\_b@contoso.com | POWER\\_BI\\_PRO | self\\_service\\_purchase |") != std::string::npos);
  CHECK(md.find("Resolved") == std::string::npos);
}

TEST_CASE("--fail-on takes a comma-separated list of known conditions and refuses others") {
  auto parsed = reports::parse_fail_on("refused, new,new");
  REQUIRE(ok(parsed));
  REQUIRE(parsed->size() == 2);
  CHECK((*parsed)[0]->name == "new");
  CHECK((*parsed)[1]->name == "refused");
  auto bad = reports::parse_fail_on("new,door");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == base::exit_code::usage);
  CHECK(bad.error().message.find("'door'") != std::string::npos);
  CHECK(bad.error().message.find("new, refused, any") != std::string::npos);
  CHECK_FALSE(reports::parse_fail_on("").has_value());
}

TEST_CASE("fail-on new holds only for new findings, refused only for newly blocked users, any for any finding") {
  auto const all = reports::parse_fail_on("any");
  auto const fresh = reports::parse_fail_on("new");
  auto const refused = reports::parse_fail_on("refused");
  REQUIRE((ok(all) && ok(fresh) && ok(refused)));
  reports::snapshot_changes changes;
  reports::fail_on_facts facts{3, &changes};
  CHECK(reports::any_met(*all, facts));
  CHECK_FALSE(reports::any_met(*fresh, facts));  // no change
  changes.resolved.push_back({"u", "u@x", "s", "S", "self_service_trial"});
  CHECK_FALSE(reports::any_met(*fresh, facts));  // only a resolved finding
  changes.added.push_back({"u", "u@x", "s", "S", "group_inherited"});
  CHECK(reports::any_met(*fresh, facts));
  CHECK_FALSE(reports::any_met(*refused, facts));
  changes.newly_refused.push_back({"u", "u@x", "removal_refused_400"});
  CHECK(reports::any_met(*refused, facts));
  facts.findings = 0;
  CHECK_FALSE(reports::any_met(*all, facts));
}
