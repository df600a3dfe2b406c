// tests/audit/builders.hpp — small builders for the records the audit tests feed the classifier.
#pragma once

#include "storage/records.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace audit_test {

inline constexpr const char* home_tenant = "11111111-1111-1111-1111-111111111111";
inline constexpr const char* partner_tenant = "22222222-2222-2222-2222-222222222222";
inline constexpr const char* sku_a = "aaaaaaaa-0000-0000-0000-000000000001";
inline constexpr const char* sku_b = "bbbbbbbb-0000-0000-0000-000000000002";
inline constexpr const char* flow_free = "f30db892-07e9-47e9-837c-80727f46fd3d";  // in the sign-up list

inline storage::sku_record sku(std::string sku_id, std::string part_number) {
  storage::sku_record s;
  s.id = "acct_" + sku_id;
  s.sku_id = std::move(sku_id);
  s.sku_part_number = std::move(part_number);
  s.capability_status = "Enabled";
  return s;
}

enum class owner { organization, user, partner };

inline storage::subscription_record subscription(std::string id, std::string sku_id, owner o,
                                                 std::optional<bool> trial = false, std::string status = "Enabled") {
  storage::subscription_record s;
  s.id = std::move(id);
  s.sku_id = std::move(sku_id);
  s.status = std::move(status);
  s.is_trial = trial;
  if (o == owner::user) {
    s.owner_type = "User";
    s.owner_id = "cccccccc-0000-0000-0000-00000000000" + s.id.substr(s.id.size() - 1);
  } else if (o == owner::partner) {
    s.owner_tenant_id = partner_tenant;
    s.owner_id = "dddddddd-0000-0000-0000-000000000000";
    s.owner_type = "Company";
  }
  return s;
}

// A user holding skus directly (one state row each) unless states are given.
inline storage::user_licenses user(std::string id, std::vector<std::string> skus) {
  storage::user_licenses u;
  u.user.id = id;
  u.user.user_principal_name = id + "@contoso.example";
  u.user.display_name = "User " + id;
  u.user.account_enabled = true;
  u.user.user_type = "Member";
  for (auto& s : skus) u.licenses.push_back({id, s, {}});
  return u;
}

inline void add_state(storage::user_licenses& u, std::string sku_id, std::optional<std::string> group,
                      std::string error = "None") {
  storage::license_state_record s;
  s.user_id = u.user.id;
  s.sku_id = std::move(sku_id);
  s.assigned_by_group = std::move(group);
  s.state = error == "None" ? "Active" : "Error";
  s.error = std::move(error);
  u.states.push_back(std::move(s));
}

}  // namespace audit_test
