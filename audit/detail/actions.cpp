#include "audit/detail/actions.hpp"

#include <fmt/format.h>

namespace audit {
namespace {

// List cells are ';'-separated; in a sentence they read better with commas.
std::string listed(std::string_view cell, std::string_view fallback) {
  if (cell.empty()) return std::string(fallback);
  std::string out;
  for (char c : cell) {
    if (c == ';') out += ", ";
    else out += c;
  }
  return out;
}

constexpr std::string_view stop_trials =
    "turn off \"Let users start trials on behalf of your organization\" (Settings > Org settings > Services > "
    "User owned apps and services) and set the product's self-service purchase policy to Disabled "
    "(MSCommerce: Update-MSCommerceProductPolicy -PolicyId AllowSelfServicePurchase) to stop recurrence";

std::string action_text(origin o, const storage::finding_record& f) {
  const std::string product = f.sku_part_number.empty() ? f.sku_id : f.sku_part_number;
  switch (o) {
    case origin::group_inherited:
      return fmt::format(
          "Remove the user from the licensing group(s) {} or exclude them from the group in the IdP; Graph refuses "
          "direct removal of an inherited license (400).",
          listed(f.group_ids, "(unknown group)"));
    case origin::partner_managed:
      return fmt::format(
          "Ask the partner (owner tenant {}) to remove the {} license or transfer the subscription to you; the "
          "IdP cannot remove it (403).",
          listed(f.owner_tenant_ids, "unknown"), product);
    case origin::self_service_trial:
      return fmt::format(
          "Take over or cancel the self-service trial of {} started by {} in the Microsoft 365 admin center "
          "(Billing > Your products > Self-service); then {}.",
          product, listed(f.owner_upns, listed(f.owner_ids, "its owner")), stop_trials);
    case origin::self_service_purchase:
      return fmt::format(
          "Take over or cancel the self-service subscription of {} bought by {} in the Microsoft 365 admin center "
          "(Billing > Your products > Self-service); then {}.",
          product, listed(f.owner_upns, listed(f.owner_ids, "its owner")), stop_trials);
    case origin::mixed_ownership:
      return fmt::format(
          "{} has subscriptions {} of more than one owner kind, so the seat's pool cannot be told: check "
          "Billing > Licenses in the Microsoft 365 admin center, then take over or cancel the self-service or "
          "partner subscription (owners {}; partner tenants {}).",
          product, listed(f.subscription_ids, ""), listed(f.owner_upns, listed(f.owner_ids, "none")),
          listed(f.owner_tenant_ids, "none"));
    case origin::self_service_signup:
      return fmt::format(
          "{} is a self-service sign-up (viral/free) SKU: delete the sign-up subscription under Billing > Your "
          "products > Free in the Microsoft 365 admin center (this deletes users' data) or add the SKU to the IdP's "
          "managed set; set allowedToSignUpEmailBasedSubscriptions to false to stop recurrence.",
          product);
    case origin::unattributed:
      return fmt::format(
          "Investigate: {} is not in subscribedSkus or has no subscription, so nothing says who owns it; look it up "
          "under Billing > Your products and, once known, mark it in the rules file (--rules).",
          product);
    case origin::organization:
      return {};
  }
  return {};
}

}  // namespace

std::string recommended_action(origin o, const storage::finding_record& f, std::string_view override_reason) {
  std::string action = action_text(o, f);
  if (override_reason.empty()) return action;
  return fmt::format("Rules file: {}. {}", override_reason, action);
}

}  // namespace audit
