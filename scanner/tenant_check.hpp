// scanner/tenant_check.hpp — `entra-audit check`: reach the login and Graph hosts, sign in, read the token's
// claims, and probe with $top=1 every call a scan makes; each answer becomes a row with its verdict and its fix
// (check_verdicts.hpp, docs/check.md). Talks to the login service and Graph only: never opens the database.
#pragma once

#include "base/error.hpp"
#include "scanner/crawl.hpp"
#include "scanner/detail/check_verdicts.hpp"
#include "scanner/graph_client.hpp"

#include <vector>

namespace scanner {

struct check_options {
  connection_options connection;
  credentials creds;
  license_details_mode mode = license_details_mode::derived;  // fetch adds the licenseDetails probe
};

struct check_report {
  std::vector<check_row> rows;
  // True when no row failed: a scan with these settings will work (warnings cost time, not results).
  bool scan_will_work() const;
};

// Runs the checks in order and stops early when a host cannot be reached or the sign-in fails (nothing after
// them could work). Each probe is bounded by the client's timeouts and retried as the scan's requests are (a
// probe still unanswered after a few seconds is logged as being retried). An error only for a configuration
// problem (exit 2): every other failure is a row.
base::result<check_report> run_check(const check_options& options);

}  // namespace scanner
