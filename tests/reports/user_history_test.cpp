#include "reports/user_history.hpp"

#include "sample_findings.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

namespace {

reports::user_in_snapshot night(std::int64_t id, bool present, std::vector<reports::held_license> licenses) {
  reports::user_in_snapshot s;
  s.scan.scan_id = id;
  s.scan.tenant_id = "11111111-2222-3333-4444-555555555555";
  s.scan.finished_at = "2026-12-0" + std::to_string(id) + "T02:00:00Z";
  s.present = present;
  s.user_id = "00000000-0000-0000-0000-000000000001";
  s.user_principal_name = "ann_lee@contoso.com";
  s.licenses = std::move(licenses);
  return s;
}

const reports::held_license e3{"e3", "ENTERPRISEPACK", "organization"};
const reports::held_license trial{"tx", "Microsoft_Teams_Exploratory_Dept", "self_service_trial"};

}  // namespace

TEST_CASE("a license's periods run from the snapshot it first appeared in to the one it went in") {
  std::vector<reports::user_in_snapshot> nights{night(1, true, {e3}), night(2, true, {e3, trial}),
                                                night(3, true, {e3, trial}), night(4, true, {e3}),
                                                night(5, true, {e3, trial})};
  auto const periods = reports::license_periods(nights);
  REQUIRE(periods.size() == 3);
  CHECK(periods[0].license.sku_id == "e3");
  CHECK(periods[0].first == 0);
  CHECK(periods[0].last == 4);
  CHECK_FALSE(periods[0].gone_at.has_value());
  CHECK(periods[1].license.origin == "self_service_trial");
  CHECK(periods[1].first == 1);
  CHECK(periods[1].last == 2);
  CHECK(periods[1].gone_at == 3u);
  CHECK(periods[2].first == 4);
  CHECK_FALSE(periods[2].gone_at.has_value());
}

TEST_CASE("a changed origin ends one period and starts another, and a deleted user's licenses go") {
  reports::held_license const group_only{"e3", "ENTERPRISEPACK", "group_inherited"};
  std::vector<reports::user_in_snapshot> nights{night(1, true, {e3}), night(2, true, {group_only}),
                                                night(3, false, {})};
  auto const periods = reports::license_periods(nights);
  REQUIRE(periods.size() == 2);
  CHECK(periods[0].license.origin == "organization");
  CHECK(periods[0].gone_at == 1u);
  CHECK(periods[1].license.origin == "group_inherited");
  CHECK(periods[1].gone_at == 2u);
}

TEST_CASE("the user history Markdown names each period's snapshots and escapes names") {
  std::vector<reports::user_in_snapshot> nights{night(1, true, {e3}), night(2, true, {e3, trial}),
                                                night(3, true, {e3})};
  test_support::temp_dir dir;
  auto const path = (dir / "user.md").string();
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  reports::render_user_history_md(nights, *out);
  REQUIRE(reports_test::ok(out->commit()));
  auto const md = test_support::read_file(path);
  CHECK(md.find("### License history — ann\\_lee@contoso.com") != std::string::npos);
  CHECK(md.find("| Microsoft\\_Teams\\_Exploratory\\_Dept | self\\_service\\_trial | snapshot 2 (2026-12-02 02:00 "
                "UTC) | snapshot 2 (2026-12-02 02:00 UTC) | snapshot 3 (2026-12-03 02:00 UTC) |") != std::string::npos);
  CHECK(md.find("| ENTERPRISEPACK | organization | snapshot 1 (2026-12-01 02:00 UTC), the oldest kept |") !=
        std::string::npos);
  CHECK(md.find("still held") != std::string::npos);
}
