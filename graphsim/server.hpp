// graphsim/server.hpp — the Graph emulator's HTTP(S) server and the `entra-audit sim` command.
#pragma once

#include "base/error.hpp"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

// What real tenants do differently from Graph's documentation, and hostile behaviours for robustness tests;
// each is one `--quirk NAME[=N]` (docs/graphsim.md, "Quirks"). All off by default: the emulator then behaves
// as Graph is documented.
struct sim_quirks {
  bool no_count = false;                       // no-count: @odata.count never sent (Azure AD B2C tenants)
  bool no_range_filter = false;                // no-range-filter: lt/le/gt/ge and not(...) on userPrincipalName refused
  std::uint64_t expired_page_token_after = 0;  // expired-page-token-after=K: a chain's page K+1 is refused (0 = off)
  bool license_details_forbidden = false;      // licensedetails-forbidden: /users/{id}/licenseDetails answers 403
  std::uint64_t users_deleted_during_scan = 0;  // users-deleted-during-scan=N: N users go after the first page
  bool skewed_upns = false;                     // skewed-upns: employee numbers, leading symbols, digits-only names
  std::uint64_t empty_page = 0;                 // empty-page=K: page K holds no users, only a nextLink
  std::uint64_t nextlink_loop = 0;              // nextlink-loop=K (hostile): page K links back to page 1
  std::uint64_t duplicate_users = 0;            // duplicate-users=K (hostile): page K repeats earlier users
  bool no_group_license_filter = false;  // no-group-license-filter: GET /groups refuses an assignedLicenses filter
};

// The tenant settings that let users acquire licenses on their own (docs/graphsim.md, "Doors"); true = open, as a
// new tenant ships (docs/graph.md §15).
struct sim_doors {
  bool signup_email_subscriptions = true;  // authorizationPolicy.allowedToSignUpEmailBasedSubscriptions
  bool email_verified_join = true;         // authorizationPolicy.allowEmailVerifiedUsersToJoinOrganization
  bool trials = true;                      // appsAndServices settings.isAppAndServicesTrialEnabled
  bool office_store = true;                // appsAndServices settings.isOfficeStoreEnabled
};

// Sets one door from `NAME=open|closed` (the --door syntax), or says why it cannot.
base::result<void> apply_door(sim_doors& doors, std::string_view spec);

// Everything `entra-audit sim` accepts (docs/design.md §2.6); defaults: throttling, faults and latency off.
struct sim_options {
  std::uint64_t users = 1000;
  std::uint64_t seed = 1;
  std::uint16_t port = 0;  // 0 = any free port
  bool tls = false;
  std::string cert_out;                   // --cert-out: PEM of the generated server certificate (with --tls)
  std::vector<std::string> client_certs;  // --client-cert: PEM certificates accepted for client assertions
  double throttle_ru = 0;                 // --throttle-ru PER_10S, 0 = off
  unsigned latency_min_ms = 0;            // --latency-ms MIN:MAX
  unsigned latency_max_ms = 0;
  double fault_rate = 0;       // --fault-rate R in [0,1]
  std::string fault_schedule;  // --fault-schedule "N:KIND,N-M:KIND,N-:KIND" (docs/graphsim.md)
  std::uint64_t fault_seed = 1;
  unsigned token_lifetime_s = 3599;  // --token-lifetime
  // --device-code-interval / --device-code-expiry: how often a device code may be polled and how long it lives
  unsigned device_code_interval_s = 5;
  unsigned device_code_expiry_s = 900;
  bool require_x5c = false;         // --require-x5c: client assertions must carry x5c (subject name + issuer apps)
  std::string truth_path;           // --truth PATH (written again after each POST /_sim/advance)
  double churn = 0.01;              // --churn RATE: the fraction of users one POST /_sim/advance changes
  std::string profile = "default";  // --profile default|clean (clean: a tenant without findings)
  // Two quirks kept as fields of their own (older tests set them); --quirk sets them too.
  bool advanced_queries = true;  // false (--no-advanced-queries, quirk no-advanced-queries): refused
  std::uint64_t count_lag = 0;   // --count-lag N, quirk count-lag=N: @odata.count of all users lags N
  sim_quirks quirks;             // --quirk NAME[=N], repeatable
  // --roles LIST: the application permissions in the tokens' roles claim; every route requires one it accepts
  // (graphsim/permissions.hpp). nullopt = default_roles(): what a scan needs, plus assignLicense.
  std::optional<std::vector<std::string>> roles;
  sim_doors doors{};  // --door NAME=open|closed, repeatable
  // --cloud global|usgov|usgov-dod|china: the national cloud the emulator plays; beta-only, global-only
  // endpoints (/beta/admin/appsAndServices) answer 404 outside global (docs/graph.md §15).
  std::string cloud = "global";
  std::string replay_dir{};  // --replay DIR: serve a capture (docs/capture.md) instead of a tenant
  // --identity-endpoints: also serve the managed identity endpoints (IMDS, App Service, Azure Arc), each on a
  // 127.0.0.1 listener of its own (docs/graphsim.md)
  bool identity_endpoints = false;
  // --okta: also play the identity provider, an Okta-like System Log at GET /api/v1/logs (docs/graphsim.md "Okta")
  bool okta = false;
  std::string okta_token{};      // its API token (SSWS); empty with okta: derived from the seed
  double idp_unexplained = 0;    // --idp-unexplained RATE: pushes failing for reasons the rules cannot see
  unsigned okta_rate_limit = 0;  // --okta-rate-limit N: requests per second before 429 (0 = 600, never 429)
  std::vector<std::string> idp_managed_skus{"6fd2c87f-b296-42f0-b197-1e91e994b900",
                                            "06ebc4ee-1bb5-47dd-8120-11324bc54e06"};  // ENTERPRISEPACK, SPE_E5
};

// Where the emulated managed identity endpoints listen and what they expect (with identity_endpoints).
struct sim_identity {
  std::string imds_url;              // base URL: AZURE_POD_IDENTITY_AUTHORITY_HOST or IMDS_ENDPOINT
  std::string app_service_endpoint;  // token URL: IDENTITY_ENDPOINT of App Service
  std::string identity_header;       // IDENTITY_HEADER of App Service (a secret)
  std::string arc_endpoint;          // token URL: IDENTITY_ENDPOINT of Azure Arc
  std::string arc_imds_endpoint;     // IMDS_ENDPOINT of Azure Arc (its presence marks Arc)
  std::string arc_key_dir;           // where Arc's challenge key files are written
  std::string system_client_id;      // the system-assigned identity's client id (a token's appid)
  std::string user_client_id, user_object_id, user_resource_id;  // the user-assigned identity
};

// Turns on one quirk given as `NAME` or `NAME=N` (the --quirk syntax), or says why it cannot: an unknown name,
// a missing, unwanted or malformed number.
base::result<void> apply_quirk(sim_options& options, std::string_view spec);
// The quirk names as `--quirk` takes them, e.g. "no-count, count-lag=N, ...", for help texts.
std::string quirk_names();

// The API token GET /api/v1/logs accepts with --okta: okta_token, else one derived from the seed (no spaces or '=').
std::string okta_token_of(const sim_options& options);

// Starts the emulator on 127.0.0.1, prints the two banner lines to out (flushed before the first connection is
// accepted), serves until SIGINT/SIGTERM, then prints the request log to out and returns.
base::result<void> run_sim(const sim_options& options, std::ostream& out);

// An emulator running on its own thread inside this process (tests, benchmarks, `demo`).
class background_server {
 public:
  // Starts it and returns once it is listening.
  static base::result<std::unique_ptr<background_server>> start(const sim_options& options);
  ~background_server();  // stops the server and joins its thread

  const std::string& url() const;  // root URL, e.g. https://127.0.0.1:PORT (no /v1.0)
  const std::string& tenant_id() const;
  const std::string& client_id() const;
  const std::string& client_secret() const;
  const std::string& ca_pem_path() const;  // the certificate file clients must trust (empty without TLS)
  // The managed identity endpoints (empty fields unless started with identity_endpoints).
  const sim_identity& identity() const;
  // The request log as JSON, as GET /_sim/stats returns it.
  std::string stats_json() const;

 private:
  struct impl;
  explicit background_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace graphsim
