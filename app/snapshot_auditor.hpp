// app/snapshot_auditor.hpp — the audit a scan runs on its snapshot before completing it, as the scanner sees it
// (scanner::page_auditor; the scanner does not depend on audit).
#pragma once

#include "audit/run_audit.hpp"
#include "audit/streamed_audit.hpp"
#include "scanner/crawl.hpp"

namespace app {

// Streams the audit page by page when the scanner can vouch that each user passes once, else audits the whole
// stored snapshot; either way before the snapshot is marked complete (docs/design.md §6).
class snapshot_auditor final : public scanner::page_auditor {
 public:
  explicit snapshot_auditor(audit::audit_options options);
  bool begin(storage::database& db, std::int64_t scan_id) override;
  void name_owners_ahead(std::span<const std::pair<std::string, std::string>> owners) override;
  std::vector<storage::finding_record> findings_of(const storage::user_page& page) override;
  base::result<void> complete(storage::database& db, std::int64_t scan_id, bool whole) override;
  // The counts of the findings complete() stored (zero before it ran).
  const audit::audit_summary& summary() const { return summary_; }

 private:
  audit::audit_options options_;
  audit::streamed_audit streamed_;
  audit::audit_summary summary_;
};

}  // namespace app
