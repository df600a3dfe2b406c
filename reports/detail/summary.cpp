#include "reports/detail/summary.hpp"

#include "reports/detail/origins.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace reports {

namespace {

constexpr unsigned refused_403 = 1;
constexpr unsigned refused_400 = 2;
constexpr unsigned may_be_refused = 4;

constexpr std::array<std::string_view, 4> idp_outcomes = {"unaffected", "removal_refused_403", "removal_refused_400",
                                                          "removal_may_be_refused"};

unsigned outcome_bit(std::string_view outcome) {
  if (outcome == "removal_refused_403") return refused_403;
  if (outcome == "removal_refused_400") return refused_400;
  if (outcome == "removal_may_be_refused") return may_be_refused;
  return 0;
}

}  // namespace

std::int64_t headline_users(const findings_summary& s) { return s.preflight ? s.users_blocked : s.users_with_findings; }

namespace {

// Ranking of top users: most findings first, then upn and id (bytes) so ties are stable.
bool ranks_before(const user_count& a, const user_count& b) {
  if (a.findings != b.findings) return a.findings > b.findings;
  if (a.user_principal_name != b.user_principal_name) return a.user_principal_name < b.user_principal_name;
  return a.user_id < b.user_id;
}

}  // namespace

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
  if (f.origin == "group_inherited") {
    std::string_view names = f.group_names;
    while (!names.empty()) {
      auto const cut = names.find(';');
      if (auto const name = names.substr(0, cut); !name.empty()) ++groups_[std::string(name)];
      names = cut == std::string_view::npos ? std::string_view{} : names.substr(cut + 1);
    }
  }
  auto [it, inserted] = users_.try_emplace(f.user_id);
  auto& user = it->second;
  if (inserted) {
    auto [d, new_department] =
        department_index_.try_emplace(f.department, static_cast<std::uint32_t>(departments_.size()));
    if (new_department) departments_.push_back(f.department);
    user.department = d->second;
  }
  ++user.findings;
  user.outcomes |= outcome_bit(f.idp_outcome);
  offer_top_user(it->first, user, f);
}

void summary_builder::offer_top_user(const std::string& user_id, const user_acc& acc,
                                     const storage::finding_record& f) {
  if (top_users_limit_ == 0) return;
  const auto member = std::find_if(top_.begin(), top_.end(), [&](const user_count& u) { return u.user_id == user_id; });
  if (member != top_.end()) {
    member->findings = acc.findings;
    member->blocked = acc.outcomes != 0;
    return;
  }
  user_count candidate{user_id, f.user_principal_name, f.display_name, acc.findings, acc.outcomes != 0};
  if (top_.size() < top_users_limit_) {
    top_.push_back(std::move(candidate));
    return;
  }
  const auto weakest = std::min_element(top_.begin(), top_.end(),
                                        [](const user_count& a, const user_count& b) { return ranks_before(b, a); });
  if (ranks_before(candidate, *weakest)) *weakest = std::move(candidate);
}

findings_summary summary_builder::finish() const {
  findings_summary s;
  s.findings = findings_;
  s.preflight = preflight_;
  s.users_with_findings = static_cast<std::int64_t>(users_.size());

  for (const auto& o : finding_origins) {
    const auto it = origins_.find(std::string(o.name));
    s.by_origin.emplace_back(std::string(o.name), it == origins_.end() ? 0 : it->second);
  }
  std::map<std::string, std::int64_t> unknown;  // sorted by bytes for stable output
  for (const auto& [name, n] : origins_)
    if (find_origin(name) == nullptr) unknown[name] = n;
  s.by_origin.insert(s.by_origin.end(), unknown.begin(), unknown.end());

  if (preflight_) {
    for (const auto name : idp_outcomes) {
      const auto it = outcomes_.find(std::string(name));
      s.by_idp_outcome.emplace_back(std::string(name), it == outcomes_.end() ? 0 : it->second);
    }
  }

  for (const auto& [name, n] : groups_) s.by_group.push_back({name, n});
  std::sort(s.by_group.begin(), s.by_group.end(), [](const group_count& a, const group_count& b) {
    return a.findings != b.findings ? a.findings > b.findings : a.name < b.name;
  });
  for (const auto& [id, sku] : skus_) s.by_sku.push_back(sku);
  std::sort(s.by_sku.begin(), s.by_sku.end(), [](const sku_count& a, const sku_count& b) {
    if (a.findings != b.findings) return a.findings > b.findings;
    if (a.sku_part_number != b.sku_part_number) return a.sku_part_number < b.sku_part_number;
    return a.sku_id < b.sku_id;
  });

  std::vector<department_count> departments(departments_.size());
  for (std::size_t i = 0; i < departments_.size(); ++i) departments[i].department = departments_[i];
  for (const auto& [id, u] : users_) {
    auto& d = departments[u.department];
    ++d.users;
    d.findings += u.findings;
    if (u.outcomes & refused_403) ++s.users_refused_403;
    if (u.outcomes & refused_400) ++s.users_refused_400;
    if (u.outcomes & may_be_refused) ++s.users_may_be_refused;
    if (u.outcomes != 0) ++s.users_blocked;
  }
  s.by_department = std::move(departments);
  std::sort(s.by_department.begin(), s.by_department.end(), [](const department_count& a, const department_count& b) {
    if (a.users != b.users) return a.users > b.users;
    return a.department < b.department;
  });

  s.top_users = top_;
  std::sort(s.top_users.begin(), s.top_users.end(), ranks_before);
  return s;
}

}  // namespace reports
