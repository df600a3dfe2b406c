#include "reports/detail/summary.hpp"

#include "sample_findings.hpp"

#include <doctest/doctest.h>

#include <map>
#include <random>

TEST_CASE("top users are exact whatever the order rows arrive in") {
  // 40 users with 1..8 findings each, rows interleaved at random so a user's count grows in steps.
  std::vector<storage::finding_record> rows;
  std::map<std::string, int> expected;
  for (int u = 0; u < 40; ++u) {
    const int n = 1 + (u * 7) % 8;
    for (int k = 0; k < n; ++k) {
      auto f = reports_test::make_finding(u, "user" + std::to_string(100 + u) + "@x.com", "U", "POWER_BI_PRO",
                                          "self_service_purchase");
      f.sku_id = "sku-" + std::to_string(k);
      rows.push_back(f);
    }
    expected[rows.back().user_principal_name] = n;
  }
  std::mt19937 rng(3);
  std::shuffle(rows.begin(), rows.end(), rng);
  reports::summary_builder builder(5);
  for (const auto& r : rows) builder.add(r);
  const auto s = builder.finish();
  REQUIRE(s.top_users.size() == 5);
  // Users with 8 findings: u = 1, 9, 17, 25, 33 (u*7 % 8 == 7).
  CHECK(s.top_users[0].user_principal_name == "user101@x.com");
  CHECK(s.top_users[4].user_principal_name == "user133@x.com");
  for (const auto& u : s.top_users) CHECK(u.findings == 8);
  CHECK(s.users_with_findings == 40);
  CHECK(s.by_department.size() == 1);
  CHECK(s.by_department[0].users == 40);
}

TEST_CASE("users count once per outcome they have and once as blocked") {
  const auto rows = reports_test::hostile_findings();
  reports::summary_builder builder;
  for (const auto& r : rows) builder.add(r);
  const auto s = builder.finish();
  CHECK(s.preflight);
  CHECK(s.users_refused_403 == 2);     // =cmd and alice
  CHECK(s.users_may_be_refused == 1);  // alice again
  CHECK(s.users_refused_400 == 1);
  CHECK(s.users_blocked == 3);
  CHECK(reports::headline_users(s) == 3);
  CHECK(s.by_origin.front().first == "group_inherited");
  CHECK(s.by_origin.size() == 7);
}
