#include "app/demo_command.hpp"

#include "app/options.hpp"
#include "app/snapshot_auditor.hpp"
#include "audit/doors.hpp"
#include "audit/idp_managed_skus.hpp"
#include "base/version.hpp"
#include "graphsim/server.hpp"
#include "reports/report.hpp"
#include "scanner/crawl.hpp"
#include "storage/database.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <system_error>

namespace app {

CLI::App* add_demo_command(CLI::App& cli, demo_command_options& o) {
  auto* cmd = cli.add_subcommand("demo", "scan the built-in emulated tenant and write every report into --out DIR");
  cmd->add_option("--out", o.out, "directory for the database and the reports");
  cmd->add_option("--users", o.users, "users in the emulated tenant")->check(CLI::Range(0, 2'000'000));
  cmd->add_option("--seed", o.seed, "seed of the emulated tenant");
  cmd->add_option("--idp-managed-skus", o.idp_managed_skus, "SKUs the demo's identity provider assigns");
  add_timeout_option(*cmd, o.timeout);
  return cmd;
}

int run_demo_command(const demo_command_options& o) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec)
    return fail(
        base::runtime_error(fmt::format("cannot create '{}': {} — pass a writable --out DIR", o.out, ec.message())));
  fs::path const dir = fs::absolute(o.out);

  graphsim::sim_options sim;
  sim.users = o.users;
  sim.seed = o.seed;
  sim.tls = true;
  sim.cert_out = (dir / "emulator-ca.pem").string();
  sim.truth_path = (dir / "ground-truth.csv").string();
  auto server = graphsim::background_server::start(sim);
  if (!server) return fail(server.error());
  fmt::print("emulated tenant {} with {} users listening on {}\n", (*server)->tenant_id(), o.users, (*server)->url());

  std::string const db_path = (dir / "entra-audit.db").string();
  auto db = storage::database::open(db_path);
  if (!db) return fail(db.error());

  auto managed = audit::parse_idp_managed_skus(o.idp_managed_skus);
  if (!managed) return fail(managed.error());
  snapshot_auditor auditor(audit::audit_options{.idp_managed_skus = *managed});
  scanner::scan_options const options{.connection = {.graph_endpoint = (*server)->url(),
                                                     .authority_host = (*server)->url(),
                                                     .ca_file = (*server)->ca_pem_path(),
                                                     .timeout = o.timeout},
                                      .creds = {.tenant_id = (*server)->tenant_id(),
                                                .client_id = (*server)->client_id(),
                                                .secret = (*server)->client_secret()},
                                      .tool_version = std::string(base::version),
                                      .auditor = &auditor};
  auto scanned = scanner::run_scan(*db, options);
  if (!scanned) return fail(scanned.error());
  auto const& audited = auditor.summary();

  auto doors = audit::summarize_doors(*db, scanned->scan_id);
  if (!doors) return fail(doors.error());

  struct output {
    reports::format fmt;
    char const* name;
  };
  for (auto const& [fmt_value, name] :
       {output{reports::format::csv, "findings.csv"}, output{reports::format::json, "findings.json"},
        output{reports::format::html, "report.html"}, output{reports::format::md, "summary.md"}}) {
    reports::report_options report;
    report.fmt = fmt_value;
    report.out_path = (dir / name).string();
    if (fmt_value != reports::format::csv) report.doors = *doors;
    if (auto r = reports::write_report(*db, scanned->scan_id, report); !r) return fail(r.error());
  }
  auto owners = reports::write_reports_by_owner(*db, scanned->scan_id, (dir / "by-owner").string());
  if (!owners) return fail(owners.error());

  fmt::print("scanned {} users ({} licensed) in {:.1f} s with {} requests; {} findings for {} users\n", scanned->users,
             scanned->licensed_users, scanned->elapsed_s, scanned->requests, audited.findings,
             audited.users_with_findings);
  fmt::print(
      "provisioning pre-flight ({}): {} users' assignLicense would fail — {} refused 403, {} more refused 400, "
      "{} more may be refused\n",
      o.idp_managed_skus,
      audited.users_call_refused_403 + audited.users_call_refused_400 + audited.users_call_may_be_refused,
      audited.users_call_refused_403, audited.users_call_refused_400, audited.users_call_may_be_refused);
  fmt::print("database        {}\n", db_path);
  fmt::print("findings CSV    {}\n", (dir / "findings.csv").string());
  fmt::print("findings JSON   {}\n", (dir / "findings.json").string());
  fmt::print("HTML report     {}\n", (dir / "report.html").string());
  fmt::print("summary (md)    {}\n", (dir / "summary.md").string());
  fmt::print("per owner CSVs  {} ({} files)\n", (dir / "by-owner").string(), owners->size());
  fmt::print("ground truth    {}\n", sim.truth_path);
  return 0;
}

}  // namespace app
