#include "app/scan_command.hpp"

#include "app/capture_option.hpp"
#include "app/run_lock.hpp"
#include "audit/commerce_policies.hpp"
#include "audit/idp_managed_skus.hpp"
#include "audit/rules_file.hpp"
#include "audit/run_audit.hpp"
#include "audit/streamed_audit.hpp"
#include "base/log.hpp"
#include "base/version.hpp"
#include "scanner/crawl.hpp"
#include "storage/database.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <optional>

namespace app {

std::optional<std::string> environment(std::string_view name) {
  char const* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

void add_auth_options(CLI::App& cmd, scanner::auth_flags& auth) {
  cmd.add_option("--tenant-id", auth.tenant_id, "directory (tenant) id or domain (env AZURE_TENANT_ID)");
  cmd.add_option("--client-id", auth.client_id, "application (client) id (env AZURE_CLIENT_ID)");
  cmd.add_option("--client-secret-file", auth.client_secret_file,
                 "file holding the client secret (env AZURE_CLIENT_SECRET; never a command-line value)");
  cmd.add_option("--certificate", auth.certificate,
                 "PEM with certificate and private key (env AZURE_CLIENT_CERTIFICATE_PATH)");
  cmd.add_option("--certificate-password-file", auth.certificate_password_file,
                 "file holding the certificate's password (env AZURE_CLIENT_CERTIFICATE_PASSWORD)");
  cmd.add_flag("--rs256", auth.rs256, "sign the client assertion RS256 with x5t instead of PS256 with x5t#S256");
  cmd.add_option("--federated-token-file", auth.federated_token_file,
                 "workload identity token file (env AZURE_FEDERATED_TOKEN_FILE)");
  cmd.add_option("--cloud", auth.cloud, "global, usgov, usgov-dod or china")
      ->check(CLI::IsMember({"global", "usgov", "usgov-dod", "china"}));
  cmd.add_option("--graph-endpoint", auth.graph_endpoint, "Graph root URL (overrides --cloud; e.g. the emulator)");
  cmd.add_option("--authority-host", auth.authority_host, "login host URL (env AZURE_AUTHORITY_HOST)");
  cmd.add_option("--ca-file", auth.ca_file, "extra trusted CA certificates (PEM)");
  add_timeout_option(cmd, auth.timeout);
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
  cmd->add_flag("--fail-on-findings", o.fail_on_findings, "exit 3 when findings exist (cron)");
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

// The scanner's view of the audit (scanner does not depend on audit): streamed page by page when the scanner can
// vouch that each user passes once, else run whole on the stored snapshot; either before it completes.
class snapshot_auditor final : public scanner::page_auditor {
 public:
  explicit snapshot_auditor(audit::audit_options options) : options_(options), streamed_(std::move(options)) {}
  bool begin(storage::database& db, std::int64_t scan_id) override { return streamed_.begin(db, scan_id); }
  std::vector<storage::finding_record> findings_of(const storage::user_page& page) override {
    return streamed_.page(page);
  }
  base::result<void> complete(storage::database& db, std::int64_t scan_id, bool whole) override {
    auto const start = std::chrono::steady_clock::now();
    whole_ = whole || !streamed_.usable();
    auto audited = whole_ ? audit::run_audit(db, scan_id, options_) : streamed_.finish(db, scan_id);
    if (!audited) return audited.error();
    summary_ = *audited;
    base::log(base::log_level::debug, "audited scan {}{}: {} findings in {:.2f} s", scan_id,
              whole_ ? "" : " as it was crawled", summary_.findings,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return {};
  }
  // The counts of the findings stored by complete().
  const audit::audit_summary& summary() const { return summary_; }

 private:
  audit::audit_options options_;
  audit::streamed_audit streamed_;
  audit::audit_summary summary_;
  bool whole_ = false;
};

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
  auto settings = scanner::resolve_settings(o.auth, environment);
  if (!settings) return fail(settings.error());
  auto capture = open_capture(o.capture, settings->first, settings->second);
  if (!capture) return fail(capture.error());

  std::string const db_path = database_path(o.common);
  auto lock = run_lock::acquire(db_path);
  if (!lock) return fail(lock.error());
  auto db = storage::database::open(db_path);
  if (!db) return fail(db.error());

  scanner::scan_options options;
  options.connection = settings->first;
  options.connection.deadline = deadline;
  options.creds = settings->second;
  options.mode =
      o.license_details == "fetch" ? scanner::license_details_mode::fetch : scanner::license_details_mode::derived;
  options.concurrency = o.concurrency;
  options.shards = *shards;
  options.resume = o.resume;
  options.keep = o.keep;
  options.progress = o.common.progress == "always"  ? scanner::progress_mode::always
                     : o.common.progress == "never" ? scanner::progress_mode::never
                                                    : scanner::progress_mode::auto_;
  options.tool_version = base::version;
  options.commerce_doors = std::move(commerce_doors);

  audit::audit_options audit_options;
  audit_options.rules_path = o.rules;
  audit_options.idp_managed_skus = *managed;
  // The audit runs beside the crawl, page by page (each page's findings in its transaction): the scan then needs
  // no second pass over the snapshot. When the scan cannot vouch that every user passed once, it is audited whole.
  snapshot_auditor auditor(audit_options);
  options.auditor = &auditor;

  options.connection.observer = *capture ? (*capture)->observer() : nullptr;
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
  if (o.fail_on_findings && audited.findings > 0) return static_cast<int>(base::exit_code::findings);
  return 0;
}

}  // namespace app
