// POST /users/{id}/assignLicense: the emulator knows which pool each seat came from, so it refuses removals
// the way Graph does (docs/graph.md §6) and applies the rest atomically.
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/sku_catalogue.hpp"
#include "graphsim/detail/tenant_model.hpp"

#include <algorithm>

namespace graphsim {
namespace {

using namespace detail;

constexpr std::string_view group_message =
    "User license is inherited from a group membership and it cannot be removed directly from the user.";
constexpr std::string_view denied_message = "Insufficient privileges to complete the operation.";
constexpr std::int64_t changes_start = 1761955200;  // 2025-11-01: lastUpdatedDateTime of changes, one minute apart

assign_outcome bad_request(std::string message) { return {400, "Request_BadRequest", std::move(message)}; }
assign_outcome denied() { return {403, "Authorization_RequestDenied", std::string(denied_message)}; }

std::optional<std::size_t> held(const license_set& set, std::size_t sku) {
  for (std::size_t n = 0; n < set.count; ++n)
    if (set.items[n].sku == sku) return n;
  return std::nullopt;
}

bool has_live_organization_subscription(const tenant_state& t, std::size_t sku) {
  for (const subscription* s : live_subscriptions(t, sku))
    if (!s->owner_tenant_id && !s->owner_type) return true;
  return false;
}

// Whether Graph refuses to remove this license, by the origin docs/design.md §3 gives it. Where Graph's data cannot
// tell (mixed_ownership, self_service_signup, unattributed) the emulator decides as the hidden truth would:
// - mixed_ownership: each (user, SKU) seat comes from a hidden pool, organization or self-service, by a hash;
// - self_service_signup: refused (403) unless the SKU has an organization subscription (the admin then owns the
//   pool; e.g. FLOW_FREE succeeds, POWER_BI_STANDARD is refused);
// - unattributed: refused (403) when the SKU is missing from subscribedSkus (no company pool to release the
//   seat to), removed when it is listed there.
std::optional<assign_outcome> refusal(const tenant_state& t, const user_profile& p, const user_license& l) {
  switch (classify(t, p, l).result) {
    case origin::group_inherited:
      return bad_request(std::string(group_message));
    case origin::partner_managed:
    case origin::self_service_trial:
    case origin::self_service_purchase:
      return denied();
    case origin::mixed_ownership:
      if (mix::hash(t.config.seed, 0x504f4f4c, p.index, l.sku) % 2 == 1) return denied();
      return std::nullopt;
    case origin::self_service_signup:
      if (!has_live_organization_subscription(t, l.sku)) return denied();
      return std::nullopt;
    case origin::unattributed:
      if (!t.skus[l.sku].in_subscribed_skus) return denied();
      return std::nullopt;
    case origin::organization:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

// Which SKU a removal refers to: std::nullopt when the text is not a SKU of this tenant.
static std::optional<std::size_t> sku_index(const tenant_state& t, std::string_view sku_id) {
  auto it = t.sku_by_id.find(mix::normalise_guid(trim_key(sku_id)));
  if (it == t.sku_by_id.end()) return std::nullopt;
  return it->second;
}

assign_outcome tenant::assign_license(std::uint64_t i, std::span<const license_to_add> add,
                                      std::span<const std::string> remove) {
  tenant_state& t = *impl_;
  if (add.empty() && remove.empty())
    return bad_request("No license changes provided. At least one license to add or remove must be specified.");
  const user_profile p = make_profile(t, i);
  license_set before;
  current_licenses(t, p, before);

  // Validate every addition first: nothing changes unless the whole request is accepted.
  struct addition {
    std::size_t sku;
    std::vector<std::uint16_t> disabled;
  };
  std::vector<addition> additions;
  for (const license_to_add& a : add) {
    auto sku = sku_index(t, a.sku_id);
    if (!sku || !t.skus[*sku].in_subscribed_skus)
      return bad_request("License " + std::string(a.sku_id) + " does not correspond to a valid company License.");
    addition next{*sku, {}};
    const sku_def& def = t.skus[*sku];
    for (const std::string& plan : a.disabled_plans) {
      const std::string id = mix::normalise_guid(trim_key(plan));
      auto it = std::find_if(def.plans.begin(), def.plans.end(), [&](const service_plan& sp) { return sp.id == id; });
      // [UNCONFIRMED wording] Graph's text for a plan outside the SKU is not documented (docs/graph.md §6).
      if (it == def.plans.end())
        return bad_request("Service plan " + std::string(plan) + " is not part of license " + def.sku_id + ".");
      auto index = static_cast<std::uint16_t>(it - def.plans.begin());
      if (std::find(next.disabled.begin(), next.disabled.end(), index) == next.disabled.end())
        next.disabled.push_back(index);
    }
    if (next.disabled.size() > max_disabled_plans)
      return bad_request("The emulator accepts at most 12 disabled plans per license.");
    std::sort(next.disabled.begin(), next.disabled.end());
    additions.push_back(std::move(next));
  }
  // Removals in request order: the first refused one answers for the whole request.
  std::vector<std::size_t> removals;
  for (const std::string& r : remove) {
    auto sku = sku_index(t, r);
    auto position = sku ? held(before, *sku) : std::nullopt;
    if (!position) return bad_request("User does not have a corresponding license.");
    for (const addition& a : additions)
      if (a.sku == *sku)
        return bad_request("License " + std::string(r) + " is in both addLicenses and removeLicenses.");
    if (auto refused = refusal(t, p, before.items[*position])) return *refused;
    removals.push_back(*sku);
  }

  const std::uint64_t version = t.version + 1;
  const std::int64_t now = changes_start + static_cast<std::int64_t>(version) * 60;
  license_set after;
  for (const user_license& l : before.view()) {
    if (std::find(removals.begin(), removals.end(), l.sku) == removals.end()) {
      after.items[after.count++] = l;
      continue;
    }
    // Removing a direct+group license removes the direct assignment; the group's stays.
    user_license kept = l;
    kept.state_count = 0;
    for (std::size_t n = 0; n < l.state_count; ++n)
      if (l.states[n].group >= 0) kept.states[kept.state_count++] = l.states[n];
    if (kept.state_count > 0) after.items[after.count++] = kept;
  }
  for (const addition& a : additions) {
    auto position = held(after, a.sku);
    if (!position) {
      position = after.count++;
      after.items[*position] = user_license{};
      after.items[*position].sku = static_cast<std::uint8_t>(a.sku);
    }
    user_license& l = after.items[*position];
    l.disabled_count = static_cast<std::uint8_t>(a.disabled.size());
    std::copy(a.disabled.begin(), a.disabled.end(), l.disabled.begin());
    // The direct assignment comes first; a license Graph listed no state for gets one now.
    if (l.state_count == 0 || l.states[0].group >= 0) {
      if (l.state_count == 2) l.state_count = 1;  // cannot happen: at most one group entry is generated
      l.states[1] = l.states[0];
      l.state_count = static_cast<std::uint8_t>(l.state_count + 1);
      l.states[0] = assignment_state{};
    }
    l.states[0].group = -1;
    l.states[0].state = state_kind::active;
    l.states[0].error = error_kind::none_text;
    l.states[0].updated = now;
  }

  for (const user_license& l : before.view())
    if (!held(after, l.sku)) --t.skus[l.sku].consumed_units;
  for (const user_license& l : after.view())
    if (!held(before, l.sku)) ++t.skus[l.sku].consumed_units;
  if (before.count > 0 && after.count == 0) --t.licensed;
  if (before.count == 0 && after.count > 0) ++t.licensed;
  t.changed_licenses[i] = after;
  t.version = version;
  t.change_log.emplace_back(version, i);
  return {};
}

}  // namespace graphsim
