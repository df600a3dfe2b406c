#include "app/snapshot_auditor.hpp"

#include "base/log.hpp"

#include <chrono>

namespace app {

snapshot_auditor::snapshot_auditor(audit::audit_options options) : options_(options), streamed_(std::move(options)) {}

bool snapshot_auditor::begin(storage::database& db, std::int64_t scan_id) { return streamed_.begin(db, scan_id); }

void snapshot_auditor::name_owners_ahead(std::span<const std::pair<std::string, std::string>> owners) {
  streamed_.name_owners_ahead(owners);
}

std::vector<storage::finding_record> snapshot_auditor::findings_of(const storage::user_page& page) {
  return streamed_.page(page);
}

base::result<void> snapshot_auditor::complete(storage::database& db, std::int64_t scan_id, bool whole) {
  auto const start = std::chrono::steady_clock::now();
  whole = whole || !streamed_.usable();
  auto audited = whole ? audit::run_audit(db, scan_id, options_) : streamed_.finish(db, scan_id);
  if (!audited) return audited.error();
  summary_ = *audited;
  base::log(base::log_level::debug, "audited scan {}{}: {} findings in {:.2f} s{}", scan_id,
            whole ? "" : " as it was crawled", summary_.findings,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
            !whole && streamed_.rewrote_findings()
                ? " (stored findings rewritten to name the owners or groups known only after them)"
                : "");
  return {};
}

}  // namespace app
