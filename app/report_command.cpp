#include "app/report_command.hpp"

#include "audit/doors.hpp"
#include "audit/idp_managed_skus.hpp"
#include "audit/run_audit.hpp"
#include "reports/calibration.hpp"
#include "reports/report.hpp"
#include "reports/user_history.hpp"
#include "storage/database.hpp"

#include <fmt/core.h>

namespace app {
namespace {

// The snapshot a command reads: the given id (which must exist and be complete) or the latest complete one.
base::result<std::int64_t> pick_scan(storage::database& db, std::int64_t scan_id, std::string const& tenant_id) {
  if (scan_id > 0) {
    auto info = db.scan(scan_id);
    if (!info) return info.error();
    if (!*info)
      return base::usage_error(fmt::format("no snapshot {} in '{}' — list them with: sqlite3 {} 'SELECT * FROM scans'",
                                           scan_id, db.path(), db.path()));
    if ((*info)->status != storage::scan_status::complete)
      return base::usage_error(fmt::format("snapshot {} is {}, not complete — report on a complete snapshot", scan_id,
                                           storage::to_string((*info)->status)));
    return scan_id;
  }
  auto latest = db.latest_complete_scan(tenant_id);
  if (!latest) return latest.error();
  if (!*latest)
    return base::usage_error(fmt::format("no complete snapshot{} in '{}' — run `entra-audit scan` first",
                                         tenant_id.empty() ? "" : " of tenant " + tenant_id, db.path()));
  return (*latest)->scan_id;
}

}  // namespace

CLI::App* add_report_command(CLI::App& cli, report_command_options& o) {
  auto* cmd = cli.add_subcommand("report", "render a snapshot's findings as csv, json, html or md");
  add_common_options(*cmd, o.common);
  cmd->add_option("--format", o.format, "csv, json, html or md")->check(CLI::IsMember({"csv", "json", "html", "md"}));
  cmd->add_option("--out", o.out, "output file (default stdout), or directory with --by owner");
  cmd->add_option("--scan-id", o.scan_id, "snapshot to report (default: the latest complete one)");
  cmd->add_option("--tenant-id", o.tenant_id, "with several tenants in one database: whose latest snapshot");
  cmd->add_flag("--reaudit", o.reaudit, "classify the stored snapshot again before reporting");
  cmd->add_option("--by", o.by, "owner: one CSV per license owner, written into --out DIR")
      ->check(CLI::IsMember({"owner"}));
  cmd->add_option("--idp-managed-skus", o.idp_managed_skus,
                  "SKUs the identity provider assigns (part numbers or GUIDs, comma-separated, or @file); re-audits");
  cmd->add_option("--rules", o.rules, "audit rules file (docs/rules.md); re-audits");
  cmd->add_flag("--calibration", o.calibration,
                "predicted versus observed: the pre-flight's idp_outcome against the identity provider's events "
                "stored by `entra-audit ingest` (csv, json or md)");
  cmd->add_option("--user", o.user,
                  "one user (principal name or object id): their licenses and origins across the kept snapshots, "
                  "as Markdown");
  return cmd;
}

CLI::App* add_diff_command(CLI::App& cli, diff_command_options& o) {
  auto* cmd = cli.add_subcommand("diff", "findings that appeared or disappeared between two snapshots");
  add_common_options(*cmd, o.common);
  cmd->add_option("scans", o.scans, "FROM TO snapshot ids (default: the last two complete snapshots)")->expected(0, 2);
  cmd->add_option("--format", o.format, "text, csv or json")->check(CLI::IsMember({"text", "csv", "json"}));
  cmd->add_option("--out", o.out, "output file (default stdout)");
  cmd->add_option("--tenant-id", o.tenant_id, "with several tenants in one database: whose snapshots");
  return cmd;
}

namespace {

int run_calibration(const report_command_options& o) {
  if (o.scan_id > 0 || o.reaudit || !o.by.empty() || !o.idp_managed_skus.empty() || !o.rules.empty() || !o.user.empty())
    return fail(
        base::usage_error("--calibration compares every kept snapshot as stored with the ingested events: "
                          "drop --scan-id, --reaudit, --by, --idp-managed-skus, --rules and --user"));
  if (o.format == "html")
    return fail(base::usage_error("--calibration writes csv, json or md: pass --format csv, json or md"));
  auto db = storage::database::open(database_path(o.common), storage::open_mode::read_only);
  if (!db) return fail(db.error());
  auto compared = reports::calibrate(*db, o.tenant_id);
  if (!compared) return fail(compared.error());
  auto const format = o.format == "json" ? reports::calibration_format::json
                      : o.format == "md" ? reports::calibration_format::md
                                         : reports::calibration_format::csv;
  if (auto r = reports::write_calibration(*compared, format, o.out); !r) return fail(r.error());
  return 0;
}

int run_user_history(const report_command_options& o) {
  if (o.scan_id > 0 || o.reaudit || !o.by.empty() || !o.idp_managed_skus.empty() || !o.rules.empty())
    return fail(base::usage_error(
        "--user reads every kept snapshot as stored: drop --scan-id, --reaudit, --by, --idp-managed-skus and --rules"));
  auto db = storage::database::open(database_path(o.common), storage::open_mode::read_only);
  if (!db) return fail(db.error());
  auto history = reports::read_user_history(*db, o.user, o.tenant_id);
  if (!history) return fail(history.error());
  auto out = reports::output_file::open(o.out);
  if (!out) return fail(out.error());
  reports::render_user_history_md(*history, *out);
  if (auto r = out->commit(); !r) return fail(r.error());
  return 0;
}

}  // namespace

int run_report_command(const report_command_options& o) {
  configure_logging(o.common);
  if (o.calibration) return run_calibration(o);
  if (!o.user.empty()) return run_user_history(o);
  bool const reaudit = o.reaudit || !o.idp_managed_skus.empty() || !o.rules.empty();
  auto managed = audit::parse_idp_managed_skus(o.idp_managed_skus);
  if (!managed) return fail(managed.error());
  if (o.by == "owner" && o.out.empty())
    return fail(base::usage_error("--by owner writes one file per owner: give the directory with --out DIR"));

  auto db = storage::database::open(database_path(o.common),
                                    reaudit ? storage::open_mode::read_write : storage::open_mode::read_only);
  if (!db) return fail(db.error());
  auto scan_id = pick_scan(*db, o.scan_id, o.tenant_id);
  if (!scan_id) return fail(scan_id.error());

  if (reaudit) {
    audit::audit_options audit_options;
    audit_options.rules_path = o.rules;
    audit_options.idp_managed_skus = *managed;
    if (auto r = audit::run_audit(*db, *scan_id, audit_options); !r) return fail(r.error());
  }

  if (o.by == "owner") {
    auto files = reports::write_reports_by_owner(*db, *scan_id, o.out);
    if (!files) return fail(files.error());
    if (!o.common.quiet)
      base::print_outcome(base::log_level::info, fmt::format("wrote {} files into {}", files->size(), o.out));
    return 0;
  }
  reports::report_options options;
  options.fmt = o.format == "json"   ? reports::format::json
                : o.format == "html" ? reports::format::html
                : o.format == "md"   ? reports::format::md
                                     : reports::format::csv;
  options.out_path = o.out;
  if (options.fmt != reports::format::csv) {
    auto doors = audit::summarize_doors(*db, *scan_id);
    if (!doors) return fail(doors.error());
    options.doors = std::move(*doors);
  }
  if (auto r = reports::write_report(*db, *scan_id, options); !r) return fail(r.error());
  return 0;
}

int run_diff_command(const diff_command_options& o) {
  configure_logging(o.common);
  if (o.scans.size() == 1) return fail(base::usage_error("diff takes two snapshot ids (FROM TO) or none"));
  auto db = storage::database::open(database_path(o.common), storage::open_mode::read_only);
  if (!db) return fail(db.error());

  std::int64_t from = 0, to = 0;
  if (o.scans.size() == 2) {
    from = o.scans[0];
    to = o.scans[1];
  } else {
    auto scans = db->scans(o.tenant_id);
    if (!scans) return fail(scans.error());
    std::vector<std::int64_t> complete;
    for (auto const& s : *scans)
      if (s.status == storage::scan_status::complete) complete.push_back(s.scan_id);
    if (complete.size() < 2)
      return fail(base::usage_error(fmt::format("diff needs two complete snapshots; '{}' has {} — scan again first",
                                                db->path(), complete.size())));
    to = complete[0];  // scans() is newest first
    from = complete[1];
  }
  auto const fmt_value = o.format == "csv"    ? reports::diff_format::csv
                         : o.format == "json" ? reports::diff_format::json
                                              : reports::diff_format::text;
  if (auto r = reports::write_diff(*db, from, to, fmt_value, o.out); !r) return fail(r.error());
  return 0;
}

}  // namespace app
