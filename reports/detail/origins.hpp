// reports/detail/origins.hpp — what reports say about each origin (docs/design.md §3): names as strings (reports
// depends on storage only, not on audit), colours, and guidance for people.
#pragma once

#include <array>
#include <string_view>

namespace reports {

struct origin_info {
  std::string_view name;      // the contract name, as in the CSV
  std::string_view label;     // for people
  std::string_view colour;    // CSS colour, also used in SVG charts
  std::string_view refusal;   // what Graph answers when a provider removes such a license
  std::string_view guidance;  // what to do before migrating provisioning
};

// The finding origins in rule order (organization is not a finding).
inline constexpr std::array<origin_info, 7> finding_origins = {{
    {"group_inherited", "Group-inherited", "#2563eb", "400 Bad Request",
     "Assigned through group-based licensing: Graph refuses a direct removal with 400. Remove the user from the "
     "licensing group (or remove the SKU from the group) instead, or add the SKU to the provider's managed set."},
    {"partner_managed", "Partner-managed", "#7c3aed", "403 Forbidden",
     "The SKU's subscriptions were created by a partner (CSP) tenant. Ask the partner to release or transfer the "
     "seats, or add the SKU to the provider's managed set so it is left alone."},
    {"self_service_trial", "Self-service trial", "#d97706", "403 Forbidden",
     "A user started a self-service trial. Only the purchaser can cancel it; ask them, or turn off self-service "
     "trials (MSCommerce AllowSelfServicePurchase) and wait for the trial to expire."},
    {"self_service_purchase", "Self-service purchase", "#dc2626", "403 Forbidden",
     "A user bought the licenses with their own card. Ask the purchaser to unassign them or take over the "
     "subscription in the Microsoft 365 admin center, and disable self-service purchase for that product."},
    {"mixed_ownership", "Mixed ownership", "#db2777", "may be refused",
     "The SKU has subscriptions of more than one kind, so the pool the seat comes from cannot be told. Consolidate "
     "the subscriptions, or treat the removal as possibly refused and test it on one user first."},
    {"self_service_signup", "Self-service sign-up", "#0d9488", "may be refused",
     "A free or viral sign-up SKU (e.g. Power BI free, Teams Exploratory). Decide whether the provider should "
     "manage it; block further sign-ups with AllowAdHocSubscriptions if not wanted."},
    {"unattributed", "Unattributed", "#64748b", "may be refused",
     "The SKU is not in subscribedSkus or has no subscription, so its source cannot be attributed. Check the "
     "admin center's billing pages and the audit log before the migration."},
}};

// Colour for origins outside the fixed vocabulary (a newer database, a rules override typo).
inline constexpr std::string_view other_origin_colour = "#94a3b8";

// The entry for name, or nullptr when it is not a finding origin.
inline const origin_info* find_origin(std::string_view name) {
  for (const auto& o : finding_origins)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace reports
