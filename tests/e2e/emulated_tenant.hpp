// tests/e2e/emulated_tenant.hpp — the Graph emulator started in-process, and the flags/env that point the real
// entra-audit binary at it (the binary itself never links the emulator's code in these tests).
#pragma once

#include "graphsim/server.hpp"
#include "support.hpp"

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace e2e {

class emulated_tenant {
 public:
  explicit emulated_tenant(graphsim::sim_options options);

  // AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for the emulator's test application.
  std::vector<std::string> env() const;
  // --graph-endpoint, --authority-host and (with TLS) --ca-file.
  std::vector<std::string> endpoint_args() const;
  // `scan --db DB` plus endpoint_args() plus extra.
  std::vector<std::string> scan_args(const std::string& db, const std::vector<std::string>& extra = {}) const;
  // The ground truth the emulator wrote, as (tenant, user, sku, origin) tuples.
  std::set<std::tuple<std::string, std::string, std::string, std::string>> truth() const;
  // The ground-truth CSV the emulator wrote last (after the last night).
  std::string truth_csv() const;
  // Moves the tenant one night forward (POST /_sim/advance, with ?churn=R when given); the truth follows. Returns
  // the emulator's answer (the night's counts, the doors it flipped and every door's state).
  std::string advance(const std::string& churn = "");
  // The emulator's request log (GET /_sim/stats).
  std::string stats_json() const { return server_->stats_json(); }
  const graphsim::background_server& server() const { return *server_; }
  const std::string& secret() const { return server_->client_secret(); }

 private:
  test_support::temp_dir dir_;
  std::string truth_path_;
  std::unique_ptr<graphsim::background_server> server_;
};

// A synthetic tenant of users that changes by churn each night (POST /_sim/advance).
inline graphsim::sim_options churning_tenant(std::uint64_t users, std::uint64_t seed, double churn) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = seed;
  o.churn = churn;
  return o;
}

// The (tenant, user, sku, origin) tuples of a findings CSV (header checked and skipped).
std::set<std::tuple<std::string, std::string, std::string, std::string>> finding_keys(const std::string& csv);

// Graph requests in the emulator's request log (GET /_sim/stats), token and /_sim requests excluded, and the items of
// the $batches that read the licensing groups and the subscription owners (each batch itself counts).
long graph_requests(const std::string& stats_json);
// Every Graph request in the emulator's request log, each $batch item counted as well as the batch (as
// --fault-schedule counts them); token and /_sim requests excluded.
long all_graph_requests(const std::string& stats_json);

// The findings CSV header of docs/design.md §4.1.
inline constexpr const char* findings_header =
    "tenant_id,user_id,user_principal_name,display_name,account_enabled,user_type,department,sku_id,"
    "sku_part_number,product_name,origin,confidence,evidence,assignment,group_ids,subscription_ids,owner_ids,"
    "owner_upns,owner_tenant_ids,is_trial,idp_outcome,recommended_action,group_names";

}  // namespace e2e
