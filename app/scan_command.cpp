#include "app/scan_command.hpp"

#include "app/capture_option.hpp"
#include "app/run_lock.hpp"
#include "app/snapshot_auditor.hpp"
#include "audit/commerce_policies.hpp"
#include "audit/idp_managed_skus.hpp"
#include "audit/rules_file.hpp"
#include "base/log.hpp"
#include "base/version.hpp"
#include "reports/calibration.hpp"
#include "reports/fail_on.hpp"
#include "reports/report.hpp"
#include "scanner/crawl.hpp"
#include "storage/database.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <unistd.h>

namespace app {

std::optional<std::string> environment(std::string_view name) {
  char const* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void add_auth_options(CLI::App& cmd, scanner::auth_flags& auth) {
  cmd.add_option("--tenant-id", auth.tenant_id, "directory (tenant) id or domain (env AZURE_TENANT_ID)");
  cmd.add_option("--client-id", auth.client_id,
                 "application (client) id (env AZURE_CLIENT_ID); with --credential device-code the public client "
                 "(default: the Azure CLI's, 04b07795-8ddb-461a-bbee-02f9e1bf7b46)");
  cmd.add_option("--client-secret-file", auth.client_secret_file,
                 "file holding the client secret (env AZURE_CLIENT_SECRET; never a command-line value)");
  cmd.add_option("--certificate", auth.certificate,
                 "PEM with certificate and private key, or PKCS#12 / PFX (env AZURE_CLIENT_CERTIFICATE_PATH)");
  cmd.add_option("--certificate-password-file", auth.certificate_password_file,
                 "file holding the certificate's password (env AZURE_CLIENT_CERTIFICATE_PASSWORD)");
  cmd.add_flag("--rs256", auth.rs256, "sign the client assertion RS256 with x5t instead of PS256 with x5t#S256");
  cmd.add_option("--federated-token-file", auth.federated_token_file,
                 "workload identity token file (env AZURE_FEDERATED_TOKEN_FILE)");
  cmd.add_option("--credential", auth.credential,
                 "how to sign in: auto, env, workload, managed-identity, azure-cli or device-code (env "
                 "ENTRA_AUDIT_CREDENTIAL; default: the client credentials set, else auto)")
      ->check(CLI::IsMember(
          std::vector<std::string>(std::begin(scanner::credential_names), std::end(scanner::credential_names))));
  cmd.add_option("--token-cache", auth.token_cache,
                 "directory of device-code sign-ins' refresh tokens (env ENTRA_AUDIT_TOKEN_CACHE; default "
                 "$XDG_CACHE_HOME/entra-audit, else ~/.cache/entra-audit)");
  cmd.add_option("--managed-identity-client-id", auth.managed_identity_client_id,
                 "user-assigned managed identity: its client id or resource id (default: AZURE_CLIENT_ID, else "
                 "system-assigned)");
  cmd.add_option("--managed-identity-object-id", auth.managed_identity_object_id,
                 "user-assigned managed identity: its object (principal) id");
  cmd.add_option("--cloud", auth.cloud, "global, usgov, usgov-dod or china")
      ->check(CLI::IsMember({"global", "usgov", "usgov-dod", "china"}));
  cmd.add_option("--graph-endpoint", auth.graph_endpoint, "Graph root URL (overrides --cloud; e.g. the emulator)");
  cmd.add_option("--authority-host", auth.authority_host, "login host URL (env AZURE_AUTHORITY_HOST)");
  cmd.add_option("--ca-file", auth.ca_file, "extra trusted CA certificates (PEM)");
  add_timeout_option(cmd, auth.timeout);
}

scanner::auth_flags with_terminal(const scanner::auth_flags& flags) {
  scanner::auth_flags out = flags;
  out.terminal = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
  return out;
}

void add_license_details_option(CLI::App& cmd, std::string& mode) {
  cmd.add_option("--license-details", mode,
                 "derived (from assignedLicenses + subscribedSkus) or fetch (/users/{id}/licenseDetails via $batch)")
      ->check(CLI::IsMember({"derived", "fetch"}));
}

CLI::App* add_scan_command(CLI::App& cli, scan_command_options& o) {
  auto* cmd = cli.add_subcommand("scan", "crawl one tenant into the database as a new snapshot, then audit it");
  add_common_options(*cmd, o.common);
  add_auth_options(*cmd, o.auth);
  add_license_details_option(*cmd, o.license_details);
  cmd->add_option("--concurrency", o.concurrency, "requests in flight at most")->check(CLI::Range(1u, 64u));
  cmd->add_option("--shards", o.shards,
                  "page the user listing in N shards at once (by first letter of the UPN, checked against $count), "
                  "auto (by tenant size) or off (one chain)");
  cmd->add_flag("--resume", o.resume, "continue the tenant's interrupted scan from its last stored page");
  cmd->add_flag("--fail-on-findings", o.fail_on_findings, "exit 3 when findings exist (cron); as --fail-on any");
  cmd->add_option("--fail-on", o.fail_on,
                  "exit 3 when one of these conditions holds, comma-separated: " + reports::fail_condition_names() +
                      " (docs/design.md §2.3)");
  cmd->add_option("--changes-md", o.changes_md,
                  "write what changed since the previous complete snapshot as Markdown to FILE (- = stdout); "
                  "nothing when nothing changed");
  cmd->add_option("--keep", o.keep, "complete snapshots kept per tenant")->check(CLI::Range(1, 100000));
  cmd->add_option("--idp-managed-skus", o.idp_managed_skus,
                  "SKUs the identity provider assigns (part numbers or GUIDs, comma-separated, or @file)");
  cmd->add_option("--rules", o.rules, "audit rules file replacing the built-in one (docs/rules.md)");
  cmd->add_option("--commerce-policies", o.commerce_policies,
                  "JSON of `Get-MSCommerceProductPolicies -PolicyId AllowSelfServicePurchase | ConvertTo-Json`: each "
                  "product's self-service purchase door (docs/graph.md §15)");
  cmd->add_option("--deadline", o.deadline, "give up retrying after this long (e.g. 90m)");
  add_capture_option(*cmd, o.capture);
  return cmd;
}

namespace {

// Snapshots the scan itself keeps when it must compare with the previous one: the new one and that previous one.
constexpr int change_keep = 2;

// The comparison with the previous complete snapshot (--fail-on new|refused, --changes-md): computed after the
// scan, before --keep prunes, so a --keep 1 still compares with the snapshot it then deletes.
struct change_check {
  std::vector<const reports::fail_condition*> conditions;
  bool needs_changes = false;
  bool needs_calibration = false;
};

base::result<change_check> parse_change_check(const scan_command_options& o) {
  change_check check;
  if (!o.fail_on.empty()) {
    auto conditions = reports::parse_fail_on(o.fail_on);
    if (!conditions) return conditions.error();
    check.conditions = std::move(*conditions);
  }
  for (const auto* c : check.conditions) {
    check.needs_changes = check.needs_changes || c->needs_changes;
    check.needs_calibration = check.needs_calibration || c->needs_calibration;
  }
  check.needs_changes = check.needs_changes || !o.changes_md.empty();
  return check;
}

// Compares the new snapshot with the previous one, writes --changes-md, prunes to --keep, and returns whether a
// --fail-on condition holds.
base::result<bool> after_scan(storage::database& db, const scan_command_options& o, const change_check& check,
                              const scanner::scan_summary& scanned, std::int64_t findings) {
  reports::fail_on_facts facts;
  facts.findings = findings;
  if (!check.conditions.empty()) {
    auto open = db.any_door_open(scanned.scan_id);
    if (!open) return open.error();
    facts.door_open = *open;
  }
  if (check.needs_calibration) {
    auto compared = reports::calibrate(db, scanned.tenant_id);
    if (!compared) return compared.error();
    facts.missed = compared->counts.misses;
  }
  reports::snapshot_changes changes;
  if (check.needs_changes) {
    auto previous = reports::previous_complete_scan(db, scanned.scan_id);
    if (!previous) return previous.error();
    auto computed = reports::changes_between(db, *previous, scanned.scan_id);
    if (!computed) return computed.error();
    changes = std::move(*computed);
    facts.changes = &changes;
    if (!o.changes_md.empty())
      if (auto r = reports::write_changes_md(db, *previous, scanned.scan_id, changes, o.changes_md); !r)
        return r.error();
    if (o.keep < change_keep)
      if (auto r = db.prune(scanned.tenant_id, o.keep); !r) return r.error();
  }
  return reports::any_met(check.conditions, facts);
}

}  // namespace

int run_scan_command(const scan_command_options& o) {
  configure_logging(o.common);
  std::chrono::seconds deadline{0};
  if (!o.deadline.empty()) {
    auto parsed = parse_duration(o.deadline, "--deadline", std::chrono::hours{24 * 365});
    if (!parsed) return fail(parsed.error());
    deadline = std::chrono::ceil<std::chrono::seconds>(*parsed);
  }
  auto shards = scanner::parse_shards_setting(o.shards);
  if (!shards) return fail(shards.error());
  auto managed = audit::parse_idp_managed_skus(o.idp_managed_skus);
  if (!managed) return fail(managed.error());
  // A bad rules file is reported before the crawl, not after it.
  if (auto rules = audit::load_rules(o.rules); !rules) return fail(rules.error());
  std::vector<storage::door_record> commerce_doors;
  if (!o.commerce_policies.empty()) {
    auto policies = audit::read_commerce_policies(o.commerce_policies);
    if (!policies) return fail(policies.error());
    commerce_doors = std::move(*policies);
  }
  auto check = parse_change_check(o);
  if (!check) return fail(check.error());
  auto settings = scanner::resolve_settings(with_terminal(o.auth), environment);
  if (!settings) return fail(settings.error());
  auto capture = open_capture(o.capture, settings->first, settings->second);
  if (!capture) return fail(capture.error());

  std::string const db_path = database_path(o.common);
  auto lock = run_lock::acquire(db_path);
  if (!lock) return fail(lock.error());
  auto db = storage::database::open(db_path);
  if (!db) return fail(db.error());

  audit::audit_options audit_options{.rules_path = o.rules, .idp_managed_skus = *managed};
  // The audit runs beside the crawl, page by page (each page's findings in its transaction): the scan then needs
  // no second pass over the snapshot. When the scan cannot vouch that every user passed once, it is audited whole.
  snapshot_auditor auditor(std::move(audit_options));
  auto connection = settings->first;
  connection.deadline = deadline;
  connection.observer = *capture ? (*capture)->observer() : nullptr;
  scanner::scan_options const options{.connection = std::move(connection),
                                      .creds = settings->second,
                                      .mode = o.license_details == "fetch" ? scanner::license_details_mode::fetch
                                                                           : scanner::license_details_mode::derived,
                                      .concurrency = o.concurrency,
                                      .shards = *shards,
                                      .resume = o.resume,
                                      .keep = check->needs_changes ? std::max(o.keep, change_keep) : o.keep,
                                      .progress = o.common.progress == "always"  ? scanner::progress_mode::always
                                                  : o.common.progress == "never" ? scanner::progress_mode::never
                                                                                 : scanner::progress_mode::auto_,
                                      .tool_version = std::string(base::version),
                                      .commerce_doors = std::move(commerce_doors),
                                      .auditor = &auditor};
  auto scanned = scanner::run_scan(*db, options);
  if (*capture) (*capture)->finish(scanned ? std::string() : scanned.error().message);
  if (!scanned) return fail(scanned.error());
  auto const& audited = auditor.summary();

  if (!o.common.quiet) {
    base::print_outcome(
        base::log_level::info,
        fmt::format("scan {} of {} complete: {} users ({} licensed), {} SKUs, {} findings for {} users, "
                    "{} requests ({} throttled), {:.1f} s",
                    scanned->scan_id, scanned->tenant_name.empty() ? scanned->tenant_id : scanned->tenant_name,
                    scanned->users, scanned->licensed_users, scanned->skus, audited.findings,
                    audited.users_with_findings, scanned->requests, scanned->throttled, scanned->elapsed_s));
  }
  auto met = after_scan(*db, o, *check, *scanned, audited.findings);
  if (!met) return fail(met.error());
  if (*met || (o.fail_on_findings && audited.findings > 0)) return static_cast<int>(base::exit_code::findings);
  return 0;
}

}  // namespace app
