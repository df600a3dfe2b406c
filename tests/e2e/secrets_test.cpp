// The client secret never reaches output, logs, the database or the reports.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>

using test_support::run_entra_audit;

TEST_CASE("no output, log, database file or report contains the client secret") {
  graphsim::sim_options o;
  o.users = 200;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto args = tenant.scan_args(db, {"--verbose", "--log-format", "json"});
  auto progress = std::find(args.begin(), args.end(), "never");
  REQUIRE(progress != args.end());
  *progress = "always";  // the progress line too
  auto scan = run_entra_audit(args, tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);
  std::string everything = scan.out + scan.err;
  for (char const* format : {"csv", "json", "html", "md"}) {
    auto report = run_entra_audit({"report", "--db", db, "--format", format});
    REQUIRE(report.exit_code == 0);
    everything += report.out + report.err;
  }
  for (auto const& entry : std::filesystem::directory_iterator(dir.path()))
    everything += test_support::read_file(entry.path());
  REQUIRE(!tenant.secret().empty());
  CHECK(everything.find(tenant.secret()) == std::string::npos);
  CHECK(everything.find("Bearer ") == std::string::npos);
}
