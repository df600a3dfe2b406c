// reports/detail/summary.hpp — the counts every report shows, gathered in one streaming pass over the findings.
#pragma once

#include "storage/records.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace reports {

struct sku_count {
  std::string sku_id;
  std::string sku_part_number;
  std::string product_name;
  std::int64_t findings = 0;  // = users: a (user, SKU) pair is one finding
};

struct department_count {
  std::string department;  // empty = not set
  std::int64_t users = 0;
  std::int64_t findings = 0;
};

struct user_count {
  std::string user_id;
  std::string user_principal_name;
  std::string display_name;
  std::int64_t findings = 0;
  bool blocked = false;  // a row refused or may be refused
};

// A group that assigns licenses of group_inherited findings, by the name the scan read (group_names).
struct group_count {
  std::string name;
  std::int64_t findings = 0;
};

struct findings_summary {
  std::int64_t findings = 0;
  std::int64_t users_with_findings = 0;
  bool preflight = false;  // some finding carries an idp_outcome (--idp-managed-skus was given)
  // Users whose assignLicense call fails: a user counts under every outcome one of its rows has.
  std::int64_t users_refused_403 = 0;
  std::int64_t users_refused_400 = 0;
  std::int64_t users_may_be_refused = 0;
  std::int64_t users_blocked = 0;  // any of the three above
  // Every finding origin in rule order (zero counts included), then unknown names in byte order.
  std::vector<std::pair<std::string, std::int64_t>> by_origin;
  // idp_outcome values in contract order, zero counts included (empty when no preflight).
  std::vector<std::pair<std::string, std::int64_t>> by_idp_outcome;
  std::vector<sku_count> by_sku;                // most findings first, then part number, sku id
  std::vector<department_count> by_department;  // most users first, then name
  std::vector<user_count> top_users;            // most findings first, then upn; at most top_users_limit
  std::vector<group_count> by_group;  // named groups of group_inherited findings: most findings first, then name
};

// Users affected in the sense of the headline: blocked when a pre-flight ran, else any user with findings.
std::int64_t headline_users(const findings_summary& s);

// Accumulates findings one at a time. Memory: a small fixed-size entry per user with findings (id, department
// index, counts), one per SKU and department, and the names of the current top users only.
class summary_builder {
 public:
  // Keeps the top_users_limit users with most findings for findings_summary::top_users.
  explicit summary_builder(std::size_t top_users_limit = 10) : top_users_limit_(top_users_limit) {}
  // Counts one finding (any order; each (user, SKU) once).
  void add(const storage::finding_record& f);
  // The counts so far, sorted as findings_summary documents.
  findings_summary finish() const;

 private:
  struct user_acc {
    std::uint32_t department = 0;  // index into departments_
    std::uint32_t findings = 0;
    unsigned outcomes = 0;  // bit set of refused_403 / refused_400 / may_be_refused
  };
  void offer_top_user(const std::string& user_id, const user_acc& acc, const storage::finding_record& f);

  std::size_t top_users_limit_;
  std::int64_t findings_ = 0;
  bool preflight_ = false;
  std::unordered_map<std::string, std::int64_t> origins_;
  std::unordered_map<std::string, std::int64_t> outcomes_;
  std::unordered_map<std::string, sku_count> skus_;
  std::unordered_map<std::string, std::int64_t> groups_;  // group name → group_inherited findings
  std::unordered_map<std::string, std::uint32_t> department_index_;
  std::vector<std::string> departments_;
  std::unordered_map<std::string, user_acc> users_;
  // The best top_users_limit users so far. Counts only grow and the weakest member only improves, so a user
  // re-offered after each of its rows ends here exactly when its final count ranks it (see offer_top_user).
  std::vector<user_count> top_;
};

}  // namespace reports
