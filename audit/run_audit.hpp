// audit/run_audit.hpp — the audit step the app calls: classify every license of a snapshot and store its findings.
#pragma once

#include "audit/idp_managed_skus.hpp"  // parse_idp_managed_skus, for the app
#include "base/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace audit {

struct audit_options {
  std::string rules_path{};  // --rules PATH; empty = the embedded default
  std::vector<std::string>
      idp_managed_skus{};  // --idp-managed-skus names (parse_idp_managed_skus); empty = no preflight
};

struct audit_summary {
  std::int64_t users = 0, licensed_users = 0, licenses = 0, findings = 0, users_with_findings = 0;
  std::map<std::string, std::int64_t> findings_by_origin;  // origin name → findings
  // Users whose assignLicense call would fail, each counted once: 403 first, then 400, then "may be refused".
  std::int64_t users_call_refused_403 = 0, users_call_refused_400 = 0, users_call_may_be_refused = 0;
};

// Classifies every license of the snapshot and replaces its findings in one transaction, storing each as it is
// made (memory does not grow with the tenant); re-runnable without re-crawling.
base::result<audit_summary> run_audit(storage::database& db, std::int64_t scan_id, const audit_options& options);

}  // namespace audit
