#include "app/commands.hpp"

#include "app/check_command.hpp"
#include "app/demo_command.hpp"
#include "app/ingest_command.hpp"
#include "app/options.hpp"
#include "app/report_command.hpp"
#include "app/scan_command.hpp"
#include "app/sign_out_command.hpp"
#include "base/version.hpp"
#include "graphsim/permissions.hpp"
#include "graphsim/server.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <iostream>
#include <string>
#include <vector>

namespace app {
namespace {

void add_sim(CLI::App& cli, graphsim::sim_options& o, std::string& latency, std::vector<std::string>& quirks,
             std::vector<std::string>& doors) {
  auto* sim = cli.add_subcommand("sim", "run the Graph emulator as a server (tests, benchmarks, trying the tool)");
  sim->add_option("--users", o.users, "users in the synthetic tenant")->check(CLI::Range(0, 2'000'000));
  sim->add_option("--seed", o.seed, "seed of the synthetic tenant");
  sim->add_option("--port", o.port, "TCP port on 127.0.0.1 (0 = any)");
  sim->add_flag("--tls", o.tls, "serve HTTPS with a certificate generated at start");
  sim->add_flag("--identity-endpoints", o.identity_endpoints,
                "also serve managed identity endpoints (IMDS, App Service, Azure Arc) on loopback ports of their own");
  sim->add_option("--cert-out", o.cert_out, "write the generated certificate (PEM) here, for clients to trust");
  sim->add_option("--client-cert", o.client_certs, "PEM certificate accepted for client assertions (repeatable)");
  sim->add_option("--throttle-ru", o.throttle_ru, "resource units per 10 s (0 = no throttling)")
      ->check(CLI::NonNegativeNumber);
  sim->add_option("--latency-ms", latency, "added latency per request, MIN:MAX milliseconds");
  sim->add_option("--fault-rate", o.fault_rate, "fraction of requests answered with a fault")
      ->check(CLI::Range(0.0, 1.0));
  sim->add_option("--fault-schedule", o.fault_schedule, "deterministic faults: N:KIND,N-M:KIND,N-:KIND");
  sim->add_option("--fault-seed", o.fault_seed, "seed of the random faults and latencies");
  sim->add_option("--token-lifetime", o.token_lifetime_s, "access token lifetime in seconds")
      ->check(CLI::Range(1u, 86400u));
  sim->add_option("--device-code-interval", o.device_code_interval_s,
                  "seconds between polls a device code asks for (default 5; slow_down adds 5)")
      ->check(CLI::Range(1u, 60u));
  sim->add_option("--device-code-expiry", o.device_code_expiry_s, "seconds a device code lives (default 900)")
      ->check(CLI::Range(1u, 3600u));
  sim->add_flag("--require-x5c", o.require_x5c,
                "refuse client assertions without the certificate chain (x5c), as a subject name + issuer app does");
  sim->add_option("--truth", o.truth_path,
                  "write the ground-truth findings CSV here (again after each POST /_sim/advance)");
  sim->add_option("--churn", o.churn, "fraction of users one night (POST /_sim/advance) changes, e.g. 0.005")
      ->check(CLI::Range(0.0, 1.0));
  sim->add_option("--profile", o.profile, "synthetic tenant: default, or clean (no findings)")
      ->check(CLI::IsMember({"default", "clean"}));
  sim->add_flag("--no-advanced-queries{false}", o.advanced_queries,
                "answer $count and ConsistencyLevel: eventual with 400 (no sharded listing)");
  sim->add_option("--count-lag", o.count_lag, "the count of all users lags this many behind (eventual consistency)");
  sim->add_option("--quirk", quirks,
                  "behave as real tenants do where they differ from Graph's documentation, or hostile (repeatable; "
                  "docs/graphsim.md): " +
                      graphsim::quirk_names());
  std::string default_roles;
  for (auto const& role : graphsim::default_roles()) default_roles += (default_roles.empty() ? "" : ",") + role;
  sim->add_option_function<std::string>(
      "--roles", [&o](std::string const& list) { o.roles = graphsim::parse_roles(list); },
      "application permissions in the tokens' roles claim, comma-separated (default: " + default_roles + ")");
  sim->add_option(
      "--door", doors,
      "a tenant setting behind self-service licenses, NAME=open|closed (repeatable; default all open): signup, "
      "email-verified-join, trials, office-store");
  sim->add_option("--cloud", o.cloud, "the national cloud played: beta-only endpoints answer 404 outside global")
      ->check(CLI::IsMember({"global", "usgov", "usgov-dod", "china"}));
  sim->add_flag("--okta", o.okta,
                "also play the identity provider: an Okta-like System Log at /api/v1/logs (token on the banner)");
  sim->add_option("--idp-unexplained", o.idp_unexplained,
                  "with --okta: the fraction of pushes failing for reasons the rules cannot see")
      ->check(CLI::Range(0.0, 1.0));
  sim->add_option("--okta-rate-limit", o.okta_rate_limit, "with --okta: requests per second before 429 (0 = none)");
  sim->add_option("--replay", o.replay_dir,
                  "serve a capture of `scan --capture` instead of a tenant (docs/capture.md)");
}

base::result<void> apply_quirks(std::vector<std::string> const& quirks, graphsim::sim_options& o) {
  for (auto const& q : quirks)
    if (auto r = graphsim::apply_quirk(o, q); !r) return r;
  return {};
}

base::result<void> apply_doors(std::vector<std::string> const& doors, graphsim::sim_options& o) {
  for (auto const& d : doors)
    if (auto r = graphsim::apply_door(o.doors, d); !r) return r;
  return {};
}

base::result<void> parse_latency(std::string const& text, graphsim::sim_options& o) {
  if (text.empty()) return {};
  unsigned lo = 0, hi = 0;
  char colon = 0;
  if (std::sscanf(text.c_str(), "%u%c%u", &lo, &colon, &hi) != 3 || colon != ':' || lo > hi)
    return base::usage_error(fmt::format("invalid --latency-ms '{}': expected MIN:MAX milliseconds, e.g. 20:80", text));
  o.latency_min_ms = lo;
  o.latency_max_ms = hi;
  return {};
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App cli{"entra-audit: finds users whose Microsoft 365 licenses an identity provider cannot remove"};
  cli.set_version_flag("--version", std::string(base::version));
  cli.require_subcommand(1);

  scan_command_options scan;
  add_scan_command(cli, scan);
  check_command_options check;
  add_check_command(cli, check);
  report_command_options report;
  add_report_command(cli, report);
  diff_command_options diff;
  add_diff_command(cli, diff);
  sign_out_command_options sign_out;
  add_sign_out_command(cli, sign_out);
  demo_command_options demo;
  add_demo_command(cli, demo);
  ingest_command_options ingest;
  add_ingest_command(cli, ingest);
  graphsim::sim_options sim_options;
  std::string latency;
  std::vector<std::string> quirks, doors;
  add_sim(cli, sim_options, latency, quirks, doors);

  try {
    cli.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    // --help and --version end here too (exit 0, on stdout); a usage error under --log-format json is a record.
    if (e.get_exit_code() != 0 && base::current_log_format() == base::log_format::json)
      return fail(base::usage_error(fmt::format("{} (run with --help for more information)", e.what())));
    int const rc = cli.exit(e);
    return rc == 0 ? 0 : static_cast<int>(base::exit_code::usage);
  }

  if (cli.got_subcommand("scan")) return run_scan_command(scan);
  if (cli.got_subcommand("check")) return run_check_command(check);
  if (cli.got_subcommand("report")) return run_report_command(report);
  if (cli.got_subcommand("diff")) return run_diff_command(diff);
  if (cli.got_subcommand("sign-out")) return run_sign_out_command(sign_out);
  if (cli.got_subcommand("demo")) return run_demo_command(demo);
  if (cli.got_subcommand("ingest")) return run_ingest_command(ingest);
  if (cli.got_subcommand("sim")) {
    if (auto r = parse_latency(latency, sim_options); !r) return fail(r.error());
    if (auto r = apply_quirks(quirks, sim_options); !r) return fail(r.error());
    if (auto r = apply_doors(doors, sim_options); !r) return fail(r.error());
    auto r = graphsim::run_sim(sim_options, std::cout);
    return r ? 0 : fail(r.error());
  }
  return 0;
}

}  // namespace app
