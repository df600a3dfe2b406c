// The provisioning pre-flight agrees with what the emulator's assignLicense answers for every user, called as an
// identity provider would: remove every license the user holds outside the managed set.
#include "e2e/emulated_tenant.hpp"
#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

// user id → SKU ids the snapshot says the user holds.
std::map<std::string, std::vector<std::string>> held_licenses(std::string const& db) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT user_id, sku_id FROM latest_user_licenses", -1, &stmt, nullptr) ==
          SQLITE_OK);
  std::map<std::string, std::vector<std::string>> held;
  while (sqlite3_step(stmt) == SQLITE_ROW)
    held[reinterpret_cast<char const*>(sqlite3_column_text(stmt, 0))].push_back(
        reinterpret_cast<char const*>(sqlite3_column_text(stmt, 1)));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return held;
}

}  // namespace

TEST_CASE("the pre-flight predicts the emulator's assignLicense answer for every user of a generated tenant") {
  for (std::uint64_t seed : {1u, 4u}) {
    CAPTURE(seed);
    graphsim::sim_options o;
    o.users = 400;
    o.seed = seed;
    e2e::emulated_tenant tenant(o);
    test_support::temp_dir dir;
    std::string const db = (dir / "a.db").string();
    // ENTERPRISEPACK and SPE_E5: the provider keeps these and removes everything else.
    std::set<std::string> const managed{"6fd2c87f-b296-42f0-b197-1e91e994b900", "06ebc4ee-1bb5-47dd-8120-11324bc54e06"};
    auto scan = run_entra_audit(tenant.scan_args(db, {"--idp-managed-skus", "ENTERPRISEPACK,SPE_E5"}), tenant.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    auto report = run_entra_audit({"report", "--db", db});
    REQUIRE(report.exit_code == 0);

    // Per user, the refusals the pre-flight predicts.
    struct prediction {
      std::set<unsigned> refused;  // 403 and/or 400
      bool maybe = false;
    };
    std::map<std::string, prediction> predicted;
    auto const rows = test_support::parse_csv(report.out);
    for (std::size_t r = 1; r < rows.size(); ++r) {
      auto const& outcome = rows[r][20];
      auto& p = predicted[rows[r][1]];
      if (outcome == "removal_refused_403") p.refused.insert(403);
      else if (outcome == "removal_refused_400") p.refused.insert(400);
      else if (outcome == "removal_may_be_refused") p.maybe = true;
      else CHECK(outcome == "unaffected");
    }

    server_test::client client(tenant.server().url());
    std::string const token = server_test::token_for(client, tenant.server());
    REQUIRE_FALSE(token.empty());
    int checked = 0, refused = 0;
    for (auto const& [user, skus] : held_licenses(db)) {
      std::string remove;
      for (auto const& sku : skus)
        if (!managed.contains(sku)) remove += (remove.empty() ? "\"" : ",\"") + sku + "\"";
      auto const& p = predicted[user];
      if (remove.empty()) {
        // Nothing outside the managed set: the provider has nothing to remove, and nothing can be refused.
        CHECK(p.refused.empty());
        continue;
      }
      auto const answer = client.send("POST", "/v1.0/users/" + user + "/microsoft.graph.assignLicense",
                                      {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                                      "{\"addLicenses\":[],\"removeLicenses\":[" + remove + "]}");
      CAPTURE(user);
      CAPTURE(answer.body);
      ++checked;
      if (answer.status != 200) ++refused;
      if (!p.refused.empty()) {
        // A definite refusal: the call fails with one of the predicted statuses (or a "may" one's).
        CHECK(answer.status != 200);
        if (!p.maybe) CHECK(p.refused.contains(answer.status));
      } else if (!p.maybe) {
        CHECK(answer.status == 200);  // nothing predicted: the provider's call goes through
      }
      if (answer.status == 403) CHECK(answer.body.find("Authorization_RequestDenied") != std::string::npos);
      if (answer.status == 400 && p.refused.contains(400))
        CHECK(answer.body.find("inherited from a group membership") != std::string::npos);
    }
    CHECK(checked > 100);
    CHECK(refused > 0);
  }
}
