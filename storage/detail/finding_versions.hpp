// storage/detail/finding_versions.hpp — a snapshot's findings moved between pending_findings (while written) and
// finding_versions (once complete), where a finding that did not change is stored once for a run of snapshots
// (storage-internal; docs/schema.md "Versions").
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace storage::detail {

struct connection;
class statement;

// The tenant's current finding versions as a running snapshot's streamed findings meet them again, in memory (32 bytes
// a finding): a finding a current version already holds with the same content is marked here instead of being
// staged in pending_findings, so that the snapshot's completion reads, copies and deletes only what changed. The
// marks live only in memory. They hold while every finding of the snapshot went through the matcher (it is made only
// while the snapshot has no pending findings); a tenant with no current versions (its first snapshot) has nothing to
// mark, and its findings skip the staging (writes()); a transaction that fails takes its own marks back
// (forget_unless_committed); a process that dies leaves a snapshot that `scan --resume` audits whole
// (replace_findings), which needs none of them.
class finding_matcher {
 public:
  // Reads the versions the running snapshot would hold if it completed now (inside the caller's transaction).
  static base::result<finding_matcher> load(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                            std::string_view what);

  std::int64_t scan_id() const { return scan_id_; }
  // True, and marked, when a current version not yet marked holds a finding of this key with this content.
  bool match(const finding_record& f, std::int64_t content);
  // Marks entry i, or takes its mark away, until rollback().
  void flip(std::size_t i);
  // The marks made or taken away since the last commit() stay / are undone.
  void commit() { tentative_.clear(); }
  void rollback();

  // A version the snapshot holds before it completes: marked (matched) when a finding met it again.
  struct entry {
    std::uint64_t key_a = 0;
    std::uint32_t key_b = 0;
    std::uint32_t matched = 0;
    std::int64_t content = 0;
    std::int64_t version = 0;
  };
  std::vector<entry>& entries() { return entries_; }
  // False once another connection committed since load(): the versions marked may have moved.
  base::result<bool> current(connection& d, std::string_view what) const;
  // True when the tenant had no version to compare with (its first snapshot): the snapshot's findings are then
  // written straight into finding_versions (write_version) instead of being staged.
  bool writes() const { return writes_; }
  // True when the snapshot writes() and is its tenant's first snapshot, unfinished, with none complete: its rows are
  // written with the open range [scan_id, NULL) rather than the empty one, and its completion leaves them as they are.
  // No complete snapshot can hold them before (there is none after it), and should it never complete, the tenant's next
  // snapshot compares them like current versions: those it finds again it holds, the others end at it.
  bool open() const { return open_; }
  // True when the snapshot already had rows written straight into finding_versions when the matcher was loaded.
  bool written() const { return written_; }
  // Records the id of a row this connection wrote for the snapshot (write_version).
  void wrote(std::int64_t version) {
    if (first_written_ == 0) first_written_ = version;
  }
  // The smallest id the snapshot's written rows can have, when this connection wrote them all (0 when it wrote none);
  // nullopt when that is unknown (rows written before it was loaded).
  std::optional<std::int64_t> written_from() const {
    if (written_) return std::nullopt;
    return first_written_;
  }

 private:
  std::int64_t scan_id_ = 0;
  bool writes_ = false;             // no versions held and a tenant known: findings go straight to finding_versions
  bool open_ = false;               // writes() for a sole snapshot: rows written with the open range
  bool written_ = false;            // the snapshot had rows there when loaded
  std::int64_t first_written_ = 0;  // the first row this connection wrote there (ids only grow after it)
  std::int64_t data_version_ = 0;   // PRAGMA data_version when loaded: another connection's commit changes it
  std::vector<entry> entries_;      // by key, then content
  std::vector<std::size_t> tentative_;
};

// Which snapshot of the tenant comes after the one folded: the file's own next one, or none (a migration folds the
// snapshots one by one in order, the later ones not yet in finding_versions).
enum class later_snapshots { as_stored, none_yet };

// Inside a write transaction: the snapshot's pending findings, and the rows it wrote straight into finding_versions,
// become the findings it holds in finding_versions (it is complete, or completes in this transaction) and leave
// pending_findings. A finding an earlier snapshot stored with
// the same content is not stored again: its range grows; a version the snapshot held and no longer holds loses it.
base::result<void> fold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id, later_snapshots later,
                                 std::string_view what);

// The connection's matcher for the running snapshot: the one in use, or a new one when the snapshot has no pending
// findings yet; nullptr when findings were staged without one (a snapshot resumed by another process).
base::result<finding_matcher*> matcher_for(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                           std::string_view what);

// The insert write_version steps: prepared once for a batch of findings, not once per finding (a first snapshot writes
// every finding this way).
base::result<statement*> version_insert(connection& d, std::string_view what);

// Inside a write transaction: stores a finding of the running snapshot straight into finding_versions (with insert,
// from version_insert) as a row no snapshot holds yet: first_scan = until_scan = scan_id, which fold_findings makes
// the snapshot's as it completes, or, when the connection's matcher is open(), the open range at once.
base::result<void> write_version(connection& d, statement& insert, std::int64_t scan_id, std::string_view tenant_id,
                                 const finding_record& f, std::int64_t content, std::string_view what);

// Inside a write transaction: deletes the rows the running snapshot wrote straight into finding_versions.
base::result<void> delete_written(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  std::string_view what);

// The finding columns' names in declaration order, each prefixed (for INSERT … SELECT between the findings tables).
std::string finding_columns(std::string_view prefix);

// The SQL condition "finding version is a row snapshot ?1 of tenant ?2 wrote straight into finding_versions" (an empty
// range, first_scan = until_scan = ?1, that no snapshot holds; or the open range from ?1 while ?1 is unfinished and
// its tenant's only snapshot, finding_matcher::open).
std::string_view finding_written_sql();

// Inside a write transaction: lets fix rename (held_cell::remade) the rows the running snapshot wrote straight into
// finding_versions that name owners or groups; a renamed row's content_hash follows.
base::result<void> rename_written(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                  const std::function<void(finding_record&)>& fix, std::string_view what);

// Inside a write transaction, before fix renames the snapshot's findings in pending_findings: each finding the
// matcher marked that fix would change is staged changed, and unmarked, so that the fold stores it as it is now.
base::result<void> release_changed_marks(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                         const std::function<void(finding_record&)>& fix, std::string_view what);

// True when the columns made again on release (held_cell::remade: the owners' and groups' names) are equal.
bool same_names(const finding_record& a, const finding_record& b);

// Inside a write transaction: copies the findings a complete snapshot holds into pending_findings, to be changed
// and folded again.
base::result<void> unfold_findings(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                   std::string_view what);

// The fingerprint stored with a finding version (every column of the findings CSV).
std::int64_t finding_content(const finding_record& f);
// finding_content of each finding, computed together (content_batch).
std::vector<std::int64_t> finding_contents(std::span<const finding_record> findings);

// The SQL condition "finding version f belongs to complete snapshot ?1 of tenant ?2".
std::string_view finding_held_sql();

}  // namespace storage::detail
