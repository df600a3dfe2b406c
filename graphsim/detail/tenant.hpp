// graphsim/detail/tenant.hpp — a synthetic Entra tenant, generated deterministically from (seed, users).
//
// Users are a pure function of (seed, index): nothing per user is held in memory except the sparse changes
// made by assignLicense, so a 2,000,000-user tenant costs little more than a 10-user one.
// Single-threaded: the server calls it from one io_context thread.
#pragma once

#include "graphsim/server.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace graphsim {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct tenant_config {
  std::uint64_t users = 1000;
  std::uint64_t seed = 1;
  bool clean = false;  // only organization-bought, directly assigned licenses: no findings (`--profile clean`)
  // Principal names skewed as real tenants' are: employee numbers, leading symbols, digits-only local parts,
  // capitals (the skewed-upns quirk, docs/graphsim.md).
  bool skewed_upns = false;
  // Users deleted while a scan runs (the users-deleted-during-scan quirk): chosen from the seed at start,
  // deleted by delete_scheduled_users().
  std::uint64_t deleted_during_scan = 0;
  // Whether the tokens may read groups (GroupMember.Read.All): the ground truth names groups only when a scan can.
  bool groups_readable = true;
  // The doors at start (`--door`); nights of churn may flip them (tenant::doors()).
  sim_doors doors{};
};

// One entry of assignLicense's addLicenses.
struct license_to_add {
  std::string sku_id;
  std::vector<std::string> disabled_plans;
};

// What assignLicense answers: 200 with the user, or Graph's error (status, error.code, error.message).
struct assign_outcome {
  unsigned status = 200;
  std::string code;
  std::string message;
};

// What one night of churn did (tenant::advance_night).
struct night_report {
  std::uint64_t night = 0;                 // the night number, from 1
  std::uint64_t changed = 0;               // users whose licenses changed (some more than once)
  std::uint64_t created = 0;               // users created
  std::uint64_t deleted = 0;               // users deleted
  std::vector<std::string> doors_flipped;  // the --door names of the doors this night flipped
};

class tenant {
 public:
  explicit tenant(tenant_config config);
  ~tenant();
  tenant(const tenant&) = delete;
  tenant& operator=(const tenant&) = delete;

  // Identity of the tenant and of the one test application it accepts (all derived from the seed).
  const std::string& tenant_id() const;
  const std::string& tenant_name() const;
  const std::string& default_domain() const;  // e.g. contoso-1.onmicrosoft.com
  const std::string& client_id() const;
  const std::string& client_secret() const;  // no spaces or '=' (docs/design.md §2.6 banner)

  // Number of users currently in the tenant.
  std::uint64_t user_count() const;
  // Users are numbered 0 .. index_end() - 1; a deleted one keeps its number but no longer exists.
  std::uint64_t index_end() const;
  bool exists(std::uint64_t i) const;
  // Deletes the users scheduled by tenant_config::deleted_during_scan (once; later calls do nothing). Their
  // lookups fail from then on, counts drop, and delta lists them as removed.
  void delete_scheduled_users();
  // True while scheduled deletions have not happened yet.
  bool deletions_pending() const;
  // The index of the user whose id (case-insensitive GUID) or userPrincipalName (case-insensitive) is key.
  std::optional<std::uint64_t> find_user(std::string_view key) const;
  // True if name is a user property /users may $select (case-insensitive, as Graph).
  static bool is_user_property(std::string_view name);
  // True if name may be selected on /users but not returned in a collection (Graph answers 501).
  static bool is_single_user_only_property(std::string_view name);
  // Writes user i as a JSON object: the selected properties, or Graph's default set when select is empty.
  void write_user(std::uint64_t i, std::span<const std::string> select, json_writer& w) const;
  // The user's userPrincipalName (for $filter startswith and $orderby-free paging).
  std::string user_principal_name(std::uint64_t i) const;
  // True if the user has at least one assignedLicenses entry.
  bool has_licenses(std::uint64_t i) const;
  // User i's property as text, what $filter, $search and $orderby compare: userPrincipalName, mail,
  // displayName, givenName, surname, userType, id, accountEnabled ("true"/"false"), createdDateTime (as
  // written); nullopt when the value is null or the property is none of these.
  std::optional<std::string> property_text(std::uint64_t i, std::string_view property) const;
  // User i's object id (a deleted user's too).
  std::string object_id(std::uint64_t i) const;
  // User i's skuIds (lower case), in assignedLicenses order.
  std::vector<std::string> sku_ids(std::uint64_t i) const;
  // The users whose principal name starts with c (case-insensitive), in index order.
  std::span<const std::uint32_t> users_with_upn_initial(char c) const;
  // The users whose principal name starts with prefix (case-insensitive, any length), in index order.
  std::vector<std::uint32_t> users_with_upn_prefix(std::string_view prefix) const;
  // Count of users whose userPrincipalName starts with prefix (case-insensitive): the size of an index when
  // prefix has one character, else a binary search in that index's sorted names.
  std::uint64_t count_upn_prefix(std::string_view prefix) const;
  // Count of users with at least one license.
  std::uint64_t count_licensed() const;

  // Writes the items (objects) of GET /users/{id}/licenseDetails for user i, inside an array the caller opened.
  void write_license_details(std::uint64_t i, json_writer& w) const;
  // Writes the items of GET /subscribedSkus, GET /directory/subscriptions, GET /organization.
  void write_subscribed_skus(json_writer& w) const;
  void write_subscriptions(json_writer& w) const;
  void write_organization(json_writer& w) const;
  // The display name of the licensing group with this id (any case); nullopt for an id that is no group.
  std::optional<std::string> group_name(std::string_view id) const;
  // The licensing groups (id, display name) that assign the SKU with this id (any case), none for an unknown SKU;
  // every licensing group when sku_id is nullopt. In the tenant's order, which never changes.
  std::vector<std::pair<std::string, std::string>> licensing_groups(std::optional<std::string_view> sku_id) const;

  // Applies POST /users/{id}/assignLicense to user i, or refuses as Graph does (403 for a self-service or
  // partner-managed seat, 400 for a group-inherited one, 400 for an unknown SKU).
  assign_outcome assign_license(std::uint64_t i, std::span<const license_to_add> add,
                                std::span<const std::string> remove);

  // A counter bumped by every change; users changed after version v are listed by changed_since(v).
  std::uint64_t version() const;
  std::vector<std::uint64_t> changed_since(std::uint64_t v) const;
  // Ids of deleted users (delta's "@removed" entries, reason "deleted"): those deleted before the tenant was
  // served, then those delete_scheduled_users() removed.
  std::vector<std::string> removed_user_ids() const;

  // Moves the tenant one night forward (docs/graphsim.md "Churn"): about rate × users changes, each a trial
  // started or ended, a self-service sign-up appearing or going, a license gained or lost, a group assignment
  // changed, a user created or deleted; a pure function of (seed, night number, rate) and the tenant so far.
  night_report advance_night(double rate);
  // The doors as they are now: as configured, then flipped by the nights (docs/graphsim.md "Churn").
  const sim_doors& doors() const;
  // Nights advanced so far (0 at start).
  std::uint64_t night() const;

  // Writes the ground truth: every (user, SKU) whose origin by docs/design.md §3 is not organization, as the
  // findings CSV of docs/design.md §4 (header included), on the data as served now — without the users scheduled
  // for deletion, deleted yet or not: the truth of the tenant at the end of a scan.
  void write_truth_csv(std::ostream& out) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace graphsim
