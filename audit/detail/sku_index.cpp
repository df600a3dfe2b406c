#include "audit/detail/sku_index.hpp"

namespace audit {
namespace {

void add_token(std::string& evidence, std::string_view token) {
  if (!evidence.empty()) evidence += ';';
  evidence += token;
}

// Rules 2–7 of docs/design.md §3.2 for one SKU: the first match is its origin, every match is evidence.
void evaluate_rules(sku_facts& f) {
  const int n = f.subscriptions();
  const int kinds = (f.partner_subscriptions > 0) + (f.user_subscriptions > 0) + (f.organization_subscriptions > 0);
  struct rule {
    bool matches;
    audit::origin origin;
    std::string_view token;
  };
  const bool all_partner = n > 0 && f.partner_subscriptions == n;
  const bool all_user = n > 0 && f.user_subscriptions == n;
  const rule rules[] = {
      {all_partner, origin::partner_managed, "partner_subscription"},
      {all_user && f.is_trial == true, origin::self_service_trial, "user_owned_trial"},
      {all_user, origin::self_service_purchase, "user_owned_subscription"},
      {kinds > 1, origin::mixed_ownership, "mixed_subscriptions"},
      {f.signup, origin::self_service_signup, "signup_sku"},
      {!f.in_subscribed_skus, origin::unattributed, "not_in_subscribed_skus"},
      {n == 0, origin::unattributed, "no_subscription"},
  };
  f.origin = origin::organization;
  f.evidence.clear();
  bool decided = false;
  for (const auto& r : rules) {
    if (!r.matches) continue;
    if (!decided) f.origin = r.origin;
    decided = true;
    add_token(f.evidence, r.token);
  }
}

}  // namespace

subscription_kind kind_of(const storage::subscription_record& s, std::string_view home_tenant_id) {
  if (s.owner_tenant_id && !trim(*s.owner_tenant_id).empty() &&
      !iequals(trim(*s.owner_tenant_id), trim(home_tenant_id)))
    return subscription_kind::partner;
  if (s.owner_type && iequals(trim(*s.owner_type), "User")) return subscription_kind::user_owned;
  return subscription_kind::organization;
}

sku_index::sku_index(std::span<const storage::sku_record> skus,
                     std::span<const storage::subscription_record> subscriptions, std::string_view home_tenant_id,
                     const catalogue& cat, std::span<const signup_sku> signup_list, const rules& rules) {
  auto entry = [&](std::string_view sku_id) -> sku_facts& {
    auto [it, inserted] = facts_.try_emplace(to_lower(trim(sku_id)));
    if (inserted) it->second.sku_id = it->first;
    return it->second;
  };

  for (const auto& sku : skus) {
    if (trim(sku.sku_id).empty()) continue;
    auto& f = entry(sku.sku_id);
    f.in_subscribed_skus = true;
    // One skuId may appear once per billing account: the first named row wins.
    if (f.part_number.empty()) f.part_number = std::string(trim(sku.sku_part_number));
  }

  // Trial flags per SKU: all true → true, any false → false, otherwise unknown.
  std::unordered_map<std::string, std::pair<bool, bool>, ci_hash, ci_equal> trial_seen;  // (any false, any null)
  for (const auto& s : subscriptions) {
    if (trim(s.sku_id).empty() || iequals(trim(s.status), "Deleted")) continue;
    auto& f = entry(s.sku_id);
    switch (kind_of(s, home_tenant_id)) {
      case subscription_kind::partner:
        ++f.partner_subscriptions;
        break;
      case subscription_kind::user_owned:
        ++f.user_subscriptions;
        break;
      case subscription_kind::organization:
        ++f.organization_subscriptions;
        break;
    }
    if (!trim(s.id).empty()) f.subscription_ids.push_back(to_lower(trim(s.id)));
    if (s.owner_id && !trim(*s.owner_id).empty()) f.owner_ids.push_back(to_lower(trim(*s.owner_id)));
    // owner_tenant_ids names the partners to ask; an ownerTenantId equal to the home tenant is nobody to ask.
    if (kind_of(s, home_tenant_id) == subscription_kind::partner && s.owner_tenant_id &&
        !trim(*s.owner_tenant_id).empty())
      f.owner_tenant_ids.push_back(to_lower(trim(*s.owner_tenant_id)));
    auto& seen = trial_seen[f.sku_id];
    if (!s.is_trial) seen.second = true;
    else if (!*s.is_trial) seen.first = true;
  }
  for (auto& [id, f] : facts_) {
    if (f.subscriptions() == 0) continue;
    auto [any_false, any_null] = trial_seen[id];
    if (any_false) f.is_trial = false;
    else if (!any_null) f.is_trial = true;
  }

  for (const auto& s : signup_list) entry(s.sku_id).signup = true;
  for (const auto& [id, part_number] : rules.signup_skus) entry(id).signup = true;
  for (const auto& [id, o] : rules.overrides) entry(id).override_rule = o;
  // Every catalogue SKU gets an entry so that classifying a license never builds facts on the fly.
  for (const auto& sku : cat.skus()) entry(sku.sku_id);

  for (auto& [id, f] : facts_) {
    sort_unique(f.subscription_ids);
    sort_unique(f.owner_ids);
    sort_unique(f.owner_tenant_ids);
    if (const catalogue_sku* c = cat.find(id)) {
      if (f.part_number.empty()) f.part_number = c->part_number;
      f.product_name = c->product_name;
    }
    evaluate_rules(f);
  }
  evaluate_rules(unknown_);
}

const sku_facts& sku_index::find(std::string_view sku_id) const {
  auto it = facts_.find(trim(sku_id));
  return it == facts_.end() ? unknown_ : it->second;
}

}  // namespace audit
