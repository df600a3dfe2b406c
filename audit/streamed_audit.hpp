// audit/streamed_audit.hpp — the audit made page by page while a scan stores its users (each page's findings are
// stored in the page's transaction), so that a scan needs no second pass over its snapshot. run_audit stays the
// audit of a whole stored snapshot (report --reaudit, and the scans this one cannot serve: a resume, a relisting,
// fetch mode).
#pragma once

#include "audit/run_audit.hpp"
#include "base/error.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace audit {

class streamed_audit {
 public:
  // held_limit bounds the findings held back until their owners are met (memory); past it they are stored
  // unnamed and finish() names them in place.
  explicit streamed_audit(audit_options options, std::size_t held_limit = 16384);
  streamed_audit(streamed_audit&&) noexcept;
  streamed_audit& operator=(streamed_audit&&) noexcept;
  ~streamed_audit();

  // Reads the snapshot's SKUs and subscriptions and the rules; false when that fails (a bad rules file, say): the
  // snapshot is then audited whole by run_audit, which reports why.
  bool begin(storage::database& db, std::int64_t scan_id);
  // Takes the principal names of subscription owners (id, userPrincipalName; empty when Graph has no such user, a
  // partner's object say) read before the listing, after begin(): a finding citing one of them is stored at once
  // instead of being held back until the owner's page, which for an owner without a name never comes. finish()
  // sets right the findings made with a name the listing then gives otherwise, or never gives.
  void name_owners_ahead(std::span<const std::pair<std::string, std::string>> owners);
  // The findings of the page's users, ready to store. A finding naming an owner (a self-service purchase, say)
  // whose user has not been met yet is held back until that user's page, so that it is stored with the name.
  std::vector<storage::finding_record> page(const storage::user_page& page);
  // After the last page: the findings still held back (their owners were never met), named with the owners
  // that were and the groups as known now, for the scan to store as it completes the snapshot; finish() then has
  // none left to store.
  std::vector<storage::finding_record> take_held();
  // True once begin() succeeded.
  bool usable() const;
  // After the last page: stores the findings still held (unless take_held() took them), names the owners in those
  // stored unnamed, and returns the counts; the snapshot's findings are then those run_audit would store.
  base::result<audit_summary> finish(storage::database& db, std::int64_t scan_id);
  // After finish(): true when it rewrote stored findings in place, to name owners met after them (held_limit
  // passed), or owners or groups whose names differ from those the findings were made with.
  bool rewrote_findings() const;

 private:
  // Names the groups in the findings made from now on as the snapshot's stored groups (read ahead of the listing)
  // name them, else as the tenant's last complete snapshot named them.
  void guess_group_names(storage::database& db);

  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace audit
