// audit/detail/user_auditor.hpp — classifies a snapshot's users one at a time into findings and counts the summary: the
// core of run_audit, apart from where the users come from.
#pragma once

#include "audit/detail/classify.hpp"
#include "audit/run_audit.hpp"
#include "base/error.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace audit {

class user_auditor {
 public:
  // Reads the rules, the snapshot's SKUs and subscriptions and resolves the managed SKUs; errors name the cause.
  static base::result<user_auditor> create(storage::database& db, std::int64_t scan_id, const audit_options& options);
  user_auditor(user_auditor&&) noexcept;
  user_auditor& operator=(user_auditor&&) noexcept;
  ~user_auditor();

  // The ids of the users who own subscriptions (lower-case, sorted): their principal names go into findings.
  const std::vector<std::string>& owner_ids() const;
  // Records an owner's principal name (owner_upns of later findings, and of finish()); an empty one marks the owner
  // as met without a name (no user of the tenant).
  void set_owner_upn(const std::string& owner_id, const std::string& upn);
  // Forgets an owner's principal name: later findings, and name_owners, cite the owner no more.
  void forget_owner_upn(const std::string& owner_id);
  // True when every owner of f's SKU (a finding this auditor made) has had its principal name recorded.
  bool owners_met(const storage::finding_record& f) const;
  // Names in f (a finding this auditor made) the owners known now: owner_upns and the action that cites them.
  void name_owners(storage::finding_record& f) const;
  // Records a group's display name (group_names of later findings, and of name_groups).
  void set_group_name(const std::string& group_id, const std::string& display_name);
  // Names in f the groups of its group_ids whose names are known, in group_ids order (group_names).
  void name_groups(storage::finding_record& f) const;
  // True once name_groups has been given a finding naming group_id (any case), whether its name was known or not.
  bool group_named(const std::string& group_id) const;
  // Takes each finding to keep (moved, not copied).
  using finding_taker = std::function<base::result<void>(storage::finding_record&&)>;
  // Emits the findings of u's licenses, each complete with the owner names known so far, and counts u.
  base::result<void> audit(const user_view& u, const storage::finding_sink& emit);
  // The same, handing each finding over to take.
  base::result<void> audit(const user_view& u, const finding_taker& take);
  base::result<void> audit(const storage::user_licenses& u, const storage::finding_sink& emit) {
    return audit(user_view{u.user, u.licenses, u.states}, emit);
  }
  // The counts so far.
  const audit_summary& summary() const;

 private:
  struct state;
  explicit user_auditor(std::unique_ptr<state> s);
  std::unique_ptr<state> s_;
};

}  // namespace audit
