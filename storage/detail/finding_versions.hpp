// storage/detail/finding_versions.hpp — a snapshot's findings moved between pending_findings (while written) and
// finding_versions (once complete), where a finding that did not change is stored once for a run of snapshots
// (storage-internal; docs/schema.md "Versions").
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace storage::detail {

struct connection;

// Which snapshot of the tenant comes after the one folded: the file's own next one, or none (a migration folds the
// snapshots one by one in order, the later ones not yet in finding_versions).
enum class later_snapshots { as_stored, none_yet };

// Inside a write transaction: the snapshot's pending findings become the findings it holds in finding_versions (it is
// complete, or completes in this transaction) and leave pending_findings. A finding an earlier snapshot stored with
// the same content is not stored again: its range grows; a version the snapshot held and no longer holds loses it.
base::result<void> fold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id, later_snapshots later,
                                 std::string_view what);

// Inside a write transaction: copies the findings a complete snapshot holds into pending_findings, to be changed
// and folded again.
base::result<void> unfold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                   std::string_view what);

// The fingerprint stored with a finding version (every column of the findings CSV).
std::int64_t finding_content(const finding_record& f);

// The SQL condition "finding version f belongs to complete snapshot ?1 of tenant ?2".
std::string_view finding_held_sql();

}  // namespace storage::detail
