// storage/detail/user_versions.hpp — a running snapshot's users written as versions: a user that did not change since
// the tenant's last snapshot is marked met, not stored again (storage-internal; docs/schema.md "Versions").
#pragma once

#include "base/error.hpp"
#include "storage/detail/content_hash.hpp"
#include "storage/records.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace storage::detail {

struct connection;
class statement;

// The tenant's current user versions (until_scan NULL) as one running snapshot meets them again, in memory: 32 bytes
// a user, sorted by id key (a million users: 32 MB). Kept by the connection between pages of the same snapshot and
// dropped whenever a transaction that changed it fails, so it never disagrees with the file.
class open_user_versions {
 public:
  // Reads the current versions of the snapshot's tenant (inside the caller's transaction).
  static base::result<open_user_versions> load(connection& d, std::int64_t scan_id, std::string tenant_id,
                                               std::string_view what);

  std::int64_t scan_id() const { return scan_id_; }

  // Stores one user with their licenses and states in the snapshot (inside the caller's write transaction): nothing
  // but a met mark when an earlier snapshot stored the same content; otherwise a new version, the one it replaces
  // ending at this snapshot (or deleted, when this snapshot had stored it).
  base::result<void> write(connection& d, const user_record& user,
                           std::span<const assigned_license_record* const> licenses,
                           std::span<const license_state_record* const> states, std::string_view what);
  // The same with the user's content (user_content) already computed.
  base::result<void> write(connection& d, const user_record& user,
                           std::span<const assigned_license_record* const> licenses,
                           std::span<const license_state_record* const> states, std::int64_t content,
                           std::string_view what);

  // As the snapshot completes (inside the caller's write transaction): the current versions it neither stored nor
  // met end at it, by version id; no other row of the table is read.
  base::result<void> end_unmet(connection& d, std::string_view what) const;

 private:
  struct entry {
    std::uint64_t key_a = 0;
    std::uint32_t key_b = 0;
    std::uint32_t flags = 0;  // stored_now, met
    std::int64_t version = 0;
    std::int64_t content = 0;
  };
  static constexpr std::uint32_t stored_now = 1;  // first_scan is this snapshot
  static constexpr std::uint32_t met = 2;         // a user_seen row says this snapshot met it

  entry* find(const id_key& key);

  std::int64_t scan_id_ = 0;
  std::string tenant_id_;
  std::vector<entry> entries_;
  // The three inserts of a new version, prepared at the first one: a tenant's first snapshot stores every user, and
  // looking them up in the statement cache for each (by their whole text) was a measurable part of that scan. The
  // cache is node-based and lives as long as the connection that keeps this writer, so the pointers stay valid.
  statement* insert_user_ = nullptr;
  statement* insert_license_ = nullptr;
  statement* insert_state_ = nullptr;
};

// The fingerprint stored with a user version: the user's fields, licenses and states (docs/schema.md "Versions").
std::int64_t user_content(const user_record& user, std::span<const assigned_license_record* const> licenses,
                          std::span<const license_state_record* const> states);
// Adds a user's content to a batch whose fingerprints() are then the user_content of each user added.
void add_user_content(content_batch& batch, const user_record& user,
                      std::span<const assigned_license_record* const> licenses,
                      std::span<const license_state_record* const> states);

// Deletes a user version with its licenses and states (inside the caller's write transaction).
base::result<void> delete_user_version(connection& d, std::int64_t version, std::string_view what);

// Inside a write transaction: of a user the running snapshot stored twice as new, keeps the later copy.
base::result<void> drop_repeated_users(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                       std::string_view what);

// Inside a write transaction, as the snapshot completes: the tenant's current versions it did not meet end at it
// (the users went), and its met marks go (its range now says which versions it holds).
base::result<void> end_unmet_users(connection& d, std::int64_t scan_id, std::string_view tenant_id,
                                   std::string_view what);

// The connection's versions for the running snapshot (read on its first page, or again after a failed write).
base::result<open_user_versions*> users_writer(connection& d, std::int64_t scan_id, const std::string& tenant_id,
                                               std::string_view what);

// How many users the snapshot holds (inside the caller's transaction).
base::result<std::int64_t> count_users(connection& d, std::int64_t scan_id, std::string_view tenant_id, bool complete,
                                       std::string_view what);

// The SQL condition "user version v belongs to snapshot ?1 of tenant ?2" (?3: 1 when the snapshot is complete).
std::string_view user_held_sql();

}  // namespace storage::detail
