// The emulator plays Okta (sim --okta): it pushes every user's managed license set through its own assignLicense
// and serves what happened as a System Log. `ingest --okta-org-url` reads it over TLS, paging and waiting for the
// rate limit, and `report --calibration` counts exactly what the pushes got, with and without unexplained failures.
#include "e2e/emulated_tenant.hpp"
#include "e2e/idp_truth.hpp"
#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>

#include <string>

using test_support::run_entra_audit;

TEST_CASE("ingest from the emulator's Okta System Log gives calibration counts equal to the emulator's pushes") {
  for (auto [seed, unexplained] : {std::pair{2u, 0.0}, std::pair{5u, 0.08}}) {
    CAPTURE(seed);
    graphsim::sim_options o;
    o.users = 2500;
    o.seed = seed;
    o.tls = true;
    o.okta = true;
    o.okta_token = "00simOktaTestToken7f3e";
    o.idp_unexplained = unexplained;
    o.okta_rate_limit = 1;  // a second request in the same second is answered 429
    e2e::emulated_tenant tenant(o);
    test_support::temp_dir dir;
    std::string const db = (dir / "a.db").string();
    auto scan = run_entra_audit(tenant.scan_args(db, {"--idp-managed-skus", "ENTERPRISEPACK,SPE_E5"}), tenant.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    auto const predicted = e2e::predictions(db);

    auto ingest = run_entra_audit(
        {"ingest", "--db", db, "--okta-org-url", tenant.server().url(), "--ca-file", tenant.server().ca_pem_path()},
        {"OKTA_API_TOKEN=" + o.okta_token});
    INFO(ingest.out);
    INFO(ingest.err);
    REQUIRE(ingest.exit_code == 0);
    // Three pages of 1000; at one request a second the reader waits for X-Rate-Limit-Reset between them.
    CHECK(ingest.out.find("(okta-log, 3 pages, ") != std::string::npos);
    CHECK(ingest.out.find(o.okta_token) == std::string::npos);
    CHECK(ingest.err.find(o.okta_token) == std::string::npos);

    // The ground truth: the status each push got, as the emulator answered it.
    server_test::client client(tenant.server().url(), tenant.server().ca_pem_path());
    auto const want = e2e::expected_counts(predicted, client.get("/_sim/idp", "").body);
    CHECK(want.contains("hits"));
    if (unexplained > 0) CHECK(want.contains("misses"));
    CHECK(e2e::calibration_counts(db) == want);

    // Okta's answers to a client that does not wait: 429 with the rate-limit headers, and 401 for a wrong token.
    unsigned last = 0;
    for (int i = 0; i < 5 && last != 429; ++i)
      last = client.send("GET", "/api/v1/logs?limit=1", {{"Authorization", "SSWS " + o.okta_token}}).status;
    CHECK(last == 429);
    auto const wrong = client.send("GET", "/api/v1/logs", {{"Authorization", "SSWS not-the-token"}});
    CHECK(wrong.status == 401);
    CHECK(wrong.body.find("E0000011") != std::string::npos);
  }
}
