// tests/audit/small_tenant.hpp — the small tenant the audit tests store: its facts and its users (alice bought
// POWER_BI_PRO, which bob holds).
#pragma once

#include "builders.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace audit_test {

inline constexpr const char* e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";      // ENTERPRISEPACK, bought centrally
inline constexpr const char* pbi = "f8a1db68-be16-40ed-86d5-cb42ce701560";     // POWER_BI_PRO, bought by alice
inline constexpr const char* orphan = "abcdef00-0000-0000-0000-000000000009";  // in no list at all
inline constexpr const char* alice_id = "00000000-0000-0000-0000-00000000000a";
inline constexpr const char* group_id = "eeeeeeee-0000-0000-0000-000000000001";

inline storage::user_licenses person(std::string id, std::string upn, std::vector<std::string> direct) {
  storage::user_licenses u = user(std::move(id), {});
  u.user.user_principal_name = std::move(upn);
  for (auto& s : direct) {
    u.licenses.push_back({u.user.id, s, {}});
    add_state(u, s, std::nullopt);
  }
  return u;
}

// Starts a snapshot of the tenant and stores its SKUs and subscriptions; returns its scan id.
inline std::int64_t begin_small_tenant(storage::database& db) {
  auto scan_id = db.begin_scan({home_tenant, "derived", "test", "http://127.0.0.1"}).value();
  db.set_tenant(scan_id, {home_tenant, "Contoso"}).value();
  std::vector<storage::sku_record> skus{sku(e3, "ENTERPRISEPACK"), sku(pbi, "POWER_BI_PRO"), sku(sku_a, "PARTNER_SKU"),
                                        sku(flow_free, "FLOW_FREE")};
  auto bought = subscription("s-pbi", pbi, owner::user);
  bought.owner_id = alice_id;
  std::vector<storage::subscription_record> subs{subscription("s-e3", e3, owner::organization), bought,
                                                 subscription("s-partner", sku_a, owner::partner),
                                                 subscription("s-flow", flow_free, owner::organization)};
  db.write_tenant_facts(scan_id, skus, subs).value();
  return scan_id;
}

// The tenant's users, alice (the purchaser) first.
inline std::vector<storage::user_licenses> small_tenant_users() {
  std::vector<storage::user_licenses> users;
  users.push_back(person(alice_id, "alice@contoso.example", {e3}));
  auto bob = person("00000000-0000-0000-0000-00000000000b", "bob@contoso.example", {e3, pbi});
  bob.user.department = "Sales";
  users.push_back(bob);
  auto carol = person("00000000-0000-0000-0000-00000000000c", "carol@contoso.example", {sku_a});
  carol.licenses.push_back({carol.user.id, e3, {}});
  add_state(carol, e3, group_id);
  users.push_back(carol);
  auto dave = person("00000000-0000-0000-0000-00000000000d", "dave@contoso.example", {flow_free});
  dave.user.creation_type = "EmailVerified";
  users.push_back(dave);
  users.push_back(person("00000000-0000-0000-0000-00000000000e", "erin@contoso.example", {}));
  auto frank = person("00000000-0000-0000-0000-00000000000f", "frank@contoso.example", {});
  frank.licenses.push_back({frank.user.id, orphan, {}});  // no licenseAssignmentStates entry
  users.push_back(frank);
  return users;
}

// The users as one page of a listing.
inline storage::user_page page_of(const std::vector<storage::user_licenses>& users) {
  storage::user_page page;
  for (const auto& u : users) {
    page.users.push_back(u.user);
    page.licenses.insert(page.licenses.end(), u.licenses.begin(), u.licenses.end());
    page.states.insert(page.states.end(), u.states.begin(), u.states.end());
  }
  return page;
}

}  // namespace audit_test
