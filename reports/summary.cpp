#include "reports/summary.hpp"

#include "reports/origins.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace reports {

namespace {

constexpr unsigned refused_403 = 1;
constexpr unsigned refused_400 = 2;
constexpr unsigned may_be_refused = 4;

constexpr std::array<std::string_view, 4> idp_outcomes = {"unaffected", "removal_refused_403",
                                                          "removal_refused_400", "removal_may_be_refused"};

unsigned outcome_bit(std::string_view outcome) {
  if (outcome == "removal_refused_403") return refused_403;
  if (outcome == "removal_refused_400") return refused_400;
  if (outcome == "removal_may_be_refused") return may_be_refused;
  return 0;
}

}  // namespace

std::int64_t headline_users(const findings_summary& s) {
  return s.preflight ? s.users_blocked : s.users_with_findings;
}

void summary_builder::add(const storage::finding_record& f) {
  ++findings_;
  ++origins_[f.origin];
  if (!f.idp_outcome.empty()) {
    preflight_ = true;
    ++outcomes_[f.idp_outcome];
  }
  auto& sku = skus_[f.sku_id];
  if (sku.findings == 0) {
    sku.sku_id = f.sku_id;
    sku.sku_part_number = f.sku_part_number;
    sku.product_name = f.product_name;
  }
  ++sku.findings;
  auto& user = users_[f.user_id];
  if (user.findings == 0) {
    user.user_principal_name = f.user_principal_name;
    user.display_name = f.display_name;
    user.department = f.department;
  }
  ++user.findings;
  user.outcomes |= outcome_bit(f.idp_outcome);
}

findings_summary summary_builder::finish() const {
  findings_summary s;
  s.findings = findings_;
  s.preflight = preflight_;
  s.users_with_findings = static_cast<std::int64_t>(users_.size());

  for (auto const& o : finding_origins) {
    auto const it = origins_.find(std::string(o.name));
    s.by_origin.emplace_back(std::string(o.name), it == origins_.end() ? 0 : it->second);
  }
  std::map<std::string, std::int64_t> unknown;  // sorted by bytes for stable output
  for (auto const& [name, n] : origins_)
    if (find_origin(name) == nullptr) unknown[name] = n;
  s.by_origin.insert(s.by_origin.end(), unknown.begin(), unknown.end());

  if (preflight_) {
    for (auto const name : idp_outcomes) {
      auto const it = outcomes_.find(std::string(name));
      s.by_idp_outcome.emplace_back(std::string(name), it == outcomes_.end() ? 0 : it->second);
    }
  }

  for (auto const& [id, sku] : skus_) s.by_sku.push_back(sku);
  std::sort(s.by_sku.begin(), s.by_sku.end(), [](const sku_count& a, const sku_count& b) {
    if (a.findings != b.findings) return a.findings > b.findings;
    if (a.sku_part_number != b.sku_part_number) return a.sku_part_number < b.sku_part_number;
    return a.sku_id < b.sku_id;
  });

  std::unordered_map<std::string, department_count> departments;
  std::vector<user_count> users;
  users.reserve(users_.size());
  for (auto const& [id, u] : users_) {
    auto& d = departments[u.department];
    d.department = u.department;
    ++d.users;
    d.findings += u.findings;
    if (u.outcomes & refused_403) ++s.users_refused_403;
    if (u.outcomes & refused_400) ++s.users_refused_400;
    if (u.outcomes & may_be_refused) ++s.users_may_be_refused;
    if (u.outcomes != 0) ++s.users_blocked;
    users.push_back({id, u.user_principal_name, u.display_name, u.findings, u.outcomes != 0});
  }
  for (auto& [name, d] : departments) s.by_department.push_back(std::move(d));
  std::sort(s.by_department.begin(), s.by_department.end(), [](const department_count& a, const department_count& b) {
    if (a.users != b.users) return a.users > b.users;
    return a.department < b.department;
  });

  auto const by_findings = [](const user_count& a, const user_count& b) {
    if (a.findings != b.findings) return a.findings > b.findings;
    if (a.user_principal_name != b.user_principal_name) return a.user_principal_name < b.user_principal_name;
    return a.user_id < b.user_id;
  };
  auto const keep = std::min(top_users_limit_, users.size());
  std::partial_sort(users.begin(), users.begin() + static_cast<std::ptrdiff_t>(keep), users.end(), by_findings);
  users.resize(keep);
  s.top_users = std::move(users);
  return s;
}

}  // namespace reports
