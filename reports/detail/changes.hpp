// reports/detail/changes.hpp — what changed since the tenant's previous complete snapshot, for the person on call
// (`scan --changes-md`, `scan --fail-on`; docs/design.md §4.4, docs/reports.md): findings new and
// resolved, and users whose assignLicense would now be refused. A finding's identity is (tenant, user id, SKU id,
// origin): a changed origin is the old finding resolved and a new one.
#pragma once

#include "base/error.hpp"
#include "reports/detail/finding_source.hpp"
#include "reports/detail/output_file.hpp"
#include "storage/records.hpp"

#include <string>
#include <vector>

namespace reports {

// One finding as the changes name it.
struct changed_finding {
  std::string user_id;
  std::string user_principal_name;
  std::string sku_id;
  std::string sku_part_number;
  std::string origin;
};

// A user the identity provider's assignLicense would now be refused for (an idp_outcome of removal_refused_403
// or removal_refused_400 on one of their findings) who was not in the previous snapshot.
struct refused_user {
  std::string user_id;
  std::string user_principal_name;
  std::string outcomes;  // the refusals, `;`-separated, sorted (e.g. `removal_refused_403`)
};

struct snapshot_changes {
  std::vector<changed_finding> added;     // in the newer snapshot, not in the older (by identity)
  std::vector<changed_finding> resolved;  // in the older, not in the newer
  std::vector<refused_user> newly_refused;
  bool empty() const { return added.empty() && resolved.empty() && newly_refused.empty(); }
};

// A finding source with no findings: the "previous snapshot" of a tenant's first scan.
finding_source no_findings();

// The changes from `from` (the previous complete snapshot) to `to`, each list sorted by (upn, SKU part number,
// SKU id, origin) as bytes. Reads each source twice; memory grows with the findings, not with the tenant.
base::result<snapshot_changes> compute_changes(const finding_source& from, const finding_source& to);

// Writes the changes as Markdown, or nothing at all when there are none (so that cron mails only on change);
// from is null when the tenant had no previous complete snapshot. Not committed.
void render_changes_md(const storage::scan_info* from, const storage::scan_info& to, const snapshot_changes& changes,
                       output_file& out);

}  // namespace reports
