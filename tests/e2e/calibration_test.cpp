// Predicted versus observed on the emulator, from files: the emulator plays Okta (sim --okta), pushing each user's
// managed license set through its own assignLicense; the test saves its System Log pages as an administrator would
// save the API's answers, ingests them and checks that `report --calibration` counts exactly what the pushes got.
#include "e2e/emulated_tenant.hpp"
#include "e2e/idp_truth.hpp"
#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

using test_support::run_entra_audit;

TEST_CASE(
    "on the emulator the calibration's confusion counts equal what the identity provider saw, for several "
    "seeds, with and without unexplained failures") {
  for (auto [seed, unexplained] : {std::pair{1u, 0.0}, std::pair{4u, 0.15}, std::pair{9u, 0.3}}) {
    CAPTURE(seed);
    graphsim::sim_options o;
    o.users = 300;
    o.seed = seed;
    o.okta = true;
    o.okta_token = "00simOktaFileTestToken";
    o.idp_unexplained = unexplained;
    e2e::emulated_tenant tenant(o);
    test_support::temp_dir dir;
    std::string const db = (dir / "a.db").string();
    auto scan = run_entra_audit(tenant.scan_args(db, {"--idp-managed-skus", "ENTERPRISEPACK,SPE_E5"}), tenant.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    auto const predicted = e2e::predictions(db);

    // The System Log saved page by page (100 events each), one file per page.
    server_test::client client(tenant.server().url());
    std::vector<std::string> files;
    std::string target = "/api/v1/logs";
    while (!target.empty()) {
      auto const page = client.send("GET", target, {{"Authorization", "SSWS " + o.okta_token}});
      REQUIRE(page.status == 200);
      files.push_back((dir / fmt::format("okta-{}.json", files.size() + 1)).string());
      test_support::write_file(files.back(), page.body);
      auto const link = page.header("link");
      auto const start = link.find(tenant.server().url());
      target = start == std::string::npos ? ""
                                          : link.substr(start + tenant.server().url().size(),
                                                        link.find('>') - start - tenant.server().url().size());
    }
    CHECK(files.size() > 1);
    auto const want = e2e::expected_counts(predicted, client.get("/_sim/idp", "").body);
    if (unexplained > 0) CHECK(want.contains("misses"));
    CHECK(want.contains("hits"));

    std::vector<std::string> ingest_args{"ingest", "--db", db};
    ingest_args.insert(ingest_args.end(), files.begin(), files.end());
    auto ingest = run_entra_audit(ingest_args);
    INFO(ingest.err);
    REQUIRE(ingest.exit_code == 0);
    CHECK(ingest.err.find(fmt::format("stored {} new events", want.at("users"))) != std::string::npos);
    auto again = run_entra_audit(ingest_args);
    REQUIRE(again.exit_code == 0);
    CHECK(again.err.find(fmt::format("stored 0 new events in '{}' ({} already there", db, want.at("users"))) !=
          std::string::npos);

    CHECK(e2e::calibration_counts(db) == want);

    // The nightly job: a scan with --fail-on missed exits 3 exactly when a refusal was missed.
    auto nightly = run_entra_audit(
        tenant.scan_args(db, {"--idp-managed-skus", "ENTERPRISEPACK,SPE_E5", "--fail-on", "missed"}), tenant.env());
    INFO(nightly.err);
    CHECK(nightly.exit_code == (want.contains("misses") ? 3 : 0));
  }
}

TEST_CASE("ingest reports each malformed line with its number, stores the valid ones and refuses an unreadable file") {
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  std::string const good =
      R"({"uuid":"g1","published":"2026-11-24T02:00:00Z","eventType":"application.provision.user.push_profile",)"
      R"("outcome":{"result":"FAILURE","reason":"httpStatusCode=403 errorCode=Authorization_RequestDenied url=https:)"
      R"(//graph.microsoft.com/v1.0/users/92f1db1e-ea81-4537-b437-c299523de953/microsoft.graph.assignLicense"}})";
  test_support::write_file(dir / "mixed.ndjson", good + "\n{\"uuid\": \n" + R"({"uuid":"g2","published":5})" + "\n");
  auto r = run_entra_audit({"ingest", "--db", db, (dir / "mixed.ndjson").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("mixed.ndjson:2: skipped: not valid JSON") != std::string::npos);
  CHECK(r.err.find("mixed.ndjson:3: skipped: published is not a string") != std::string::npos);
  CHECK(r.out.find("1 license pushes read (1 new, 0 already stored), 2 lines skipped") != std::string::npos);

  auto missing = run_entra_audit({"ingest", "--db", db, (dir / "nope.json").string(), (dir / "mixed.ndjson").string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read identity provider log") != std::string::npos);
  CHECK(missing.out.find("(0 new, 1 already stored)") != std::string::npos);  // the other file was still read
}
