#include "audit/run_audit.hpp"

#include "audit/detail/user_auditor.hpp"

#include <optional>
#include <utility>

namespace audit {

base::result<audit_summary> run_audit(storage::database& db, std::int64_t scan_id, const audit_options& options) {
  auto auditor = user_auditor::create(db, scan_id, options);
  if (!auditor) return auditor.error();

  // Purchasers are users of the same snapshot. Owner ids come from subscriptions, so one lookup before the users
  // stream completes every finding as it is made (and lets a streaming findings writer take them one by one).
  if (!auditor->owner_ids().empty()) {
    auto upns = db.user_principal_names(scan_id, auditor->owner_ids());
    if (!upns) return upns.error();
    for (auto const& [id, upn] : *upns) auditor->set_owner_upn(id, upn);
  }

  // Findings go to the database as they are made (one transaction for all): memory stays flat in the tenant.
  auto stored = db.replace_findings(scan_id, [&](const storage::finding_sink& emit) -> base::result<void> {
    std::optional<base::error> failed;  // the first error; for_each_user cannot be stopped, so the rest is skipped
    // Findings are stored unordered (reports read them by user principal name), so the unsorted order will do.
    auto streamed = db.for_each_user_as_stored(scan_id, [&](const storage::user_licenses& u) {
      if (failed) return;
      if (auto r = auditor->audit(u, emit); !r) failed = std::move(r.error());
    });
    if (failed) return *failed;
    return streamed;
  });
  if (!stored) return stored.error();
  return auditor->summary();
}

}  // namespace audit
