// reports/calibration.hpp — predicted versus observed (`report --calibration`, docs/design.md §8): what the
// pre-flight (idp_outcome, docs/design.md §4.3) predicted for each user against what the identity provider reported
// when it pushed their licenses (`entra-audit ingest`).
#pragma once

#include "base/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reports {

// The confusion counts, one user each (the newest event of each user decides what was observed).
struct calibration_counts {
  std::int64_t hits = 0;                 // predicted refused (403 or 400), observed refused (403 or 400)
  std::int64_t misses = 0;               // observed refused, not predicted (no refused or possibly refused finding)
  std::int64_t uncertain_refused = 0;    // predicted "may be refused", observed refused
  std::int64_t contradictions = 0;       // predicted refused, a successful push observed after the snapshot
  std::int64_t uncertain_succeeded = 0;  // predicted "may be refused", observed a successful push
  std::int64_t agreed_successes = 0;     // not predicted refused, observed a successful push
  std::int64_t other_failures = 0;       // observed a failure that is not a license refusal (another status)
  std::int64_t status_differs = 0;       // hits whose observed status is not the predicted one (a 400 for a 403)
  std::int64_t predicted_not_seen = 0;   // users of the newest snapshot predicted refused, no event seen for them
  std::int64_t unmatched_events = 0;     // events with no complete snapshot before them, or naming no user of it
};

// Precision and recall of one group (all users, one origin, one SKU); nullopt when the ratio has no denominator.
struct calibration_group {
  std::string key{};  // the origin or SKU part number (else SKU id); empty for the whole tenant
  std::int64_t hits = 0;
  std::int64_t misses = 0;  // here: users observed refused holding this group's license, not predicted refused
  std::int64_t contradictions = 0;
  std::optional<double> precision{};  // hits / (hits + contradictions)
  std::optional<double> recall{};     // hits / (hits + misses)
};

// One license a user held in the matched snapshot: the evidence beside a miss or a contradiction.
struct calibration_license {
  std::string sku_id{};
  std::string sku_part_number{};
  std::string origin{};       // organization when the license is no finding
  std::string idp_outcome{};  // empty when the pre-flight did not judge it
  std::string evidence{};
};

// One user whose prediction and observation are compared.
struct calibration_user {
  std::string user_id{};
  std::string user_principal_name{};
  std::string predicted{};  // removal_refused_403, removal_refused_400, removal_may_be_refused or unaffected
  std::string observed{};   // refused_403, refused_400, other_failure or success
  std::string verdict{};    // hit, miss, uncertain_refused, contradiction, uncertain_succeeded, agreed_success, other
  std::string observed_at{};
  std::optional<int> http_status{};
  std::string error_code{};
  std::string error_message{};
  std::string request_id{};
  std::int64_t scan_id = 0;  // the snapshot matched to the event
  std::vector<calibration_license> licenses{};
};

struct calibration {
  std::string tenant_id{};
  std::int64_t latest_scan_id = 0;  // the newest complete snapshot (predicted_not_seen is counted on it)
  bool preflight = false;           // the matched snapshots carry idp_outcome (scan with --idp-managed-skus)
  std::int64_t events = 0;          // stored events read
  calibration_counts counts;
  calibration_group overall;
  std::vector<calibration_group> by_origin{};  // sorted by key
  std::vector<calibration_group> by_sku{};     // sorted by key
  std::vector<calibration_user> users{};       // every compared user, sorted by principal name then id
};

// Compares the stored events with the tenant's complete snapshots (tenant_id empty: the tenant of the newest
// complete snapshot): each event is matched to the newest complete snapshot finished at or before it. A database
// without a complete snapshot is a usage error.
base::result<calibration> calibrate(storage::database& db, const std::string& tenant_id);

enum class calibration_format { csv, json, md };

// Writes c to out_path (empty or "-": stdout): CSV (one row per compared user), JSON (counts, groups, users) or
// Markdown (counts, groups, every miss and contradiction with its licenses).
base::result<void> write_calibration(const calibration& c, calibration_format format, const std::string& out_path);

}  // namespace reports
