// The tenant's directory: identity, SKUs from Microsoft's catalogue, subscriptions of every ownership kind of
// docs/design.md §3, and licensing groups. Fixed per seed; sizes follow the users (size_subscriptions).
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/sku_catalogue.hpp"
#include "graphsim/detail/tenant_model.hpp"
#include "graphsim/detail/tenant_slots.hpp"

#include <string>

namespace graphsim::detail {
namespace {

std::string guid_text(std::uint64_t seed, std::uint64_t tag, std::uint64_t n) {
  return mix::to_string(mix::v4_guid(mix::hash(seed, tag, n, 1), mix::hash(seed, tag, n, 2)));
}

// Client secrets look like Entra's (a 3-character hint, "8Q~", then 37 URL-safe characters): no '=' or space.
std::string make_secret(std::uint64_t seed) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.";
  mix::stream s(mix::hash(seed, 0x5345435245ull));
  std::string secret;
  for (int n = 0; n < 40; ++n) secret += n >= 3 && n < 6 ? "8Q~"[n - 3] : alphabet[s.below(alphabet.size())];
  return secret;
}

struct sku_spec {
  std::string_view part_number;  // catalogue String_Id, or the tenant's own name when guid is set
  std::string_view guid;         // set for SKUs Microsoft's catalogue does not list
  std::string_view plans_like;   // for those: a catalogue SKU whose plans it carries ("" = none)
  bool in_subscribed_skus;
  std::string_view capability_status;
  unsigned per_mille, group_only_per_mille, direct_and_group_per_mille;
  std::vector<std::size_t> groups;
};

// The SKUs by slot (tenant_slots.hpp). The two GUIDs below are not in Microsoft's catalogue: they exercise
// "sku_part_number/product_name unknown".
std::vector<sku_spec> sku_specs(bool clean) {
  if (clean) {
    return {
        {"ENTERPRISEPACK", "", "", true, "Enabled", 0, 0, 0, {}},
        {"SPE_E5", "", "", true, "Enabled", 0, 0, 0, {}},
        {"EMSPREMIUM", "", "", true, "Enabled", 300, 0, 0, {}},
        {"POWER_BI_PRO", "", "", true, "Enabled", 80, 0, 0, {}},
        {"VISIOCLIENT", "", "", true, "Enabled", 40, 0, 0, {}},
        {"PROJECTPROFESSIONAL", "", "", true, "Enabled", 50, 0, 0, {}},
    };
  }
  return {
      {"ENTERPRISEPACK", "", "", true, "Enabled", 0, 120, 50, {1}},
      {"SPE_E5", "", "", true, "Enabled", 0, 150, 50, {2}},
      {"EMSPREMIUM", "", "", true, "Enabled", 300, 650, 100, {0, 1}},
      {"POWER_BI_PRO", "", "", true, "Enabled", 60, 0, 0, {}},
      {"Microsoft_Teams_Exploratory_Dept", "", "", true, "Enabled", 30, 0, 0, {}},
      {"VISIOCLIENT", "", "", true, "Enabled", 40, 0, 0, {}},
      {"PROJECTPROFESSIONAL", "", "", true, "Enabled", 50, 100, 0, {3}},
      {"FLOW_FREE", "", "", true, "Enabled", 80, 0, 0, {}},
      {"POWER_BI_STANDARD", "", "", true, "Enabled", 60, 0, 0, {}},
      {"STANDARDPACK", "", "", false, "Enabled", 10, 0, 0, {}},
      {"CONTOSO_LEGACY_ADDON", "5a1e9c3b-0d4f-4e8a-9b61-7c2f0e4d8a13", "", false, "Enabled", 5, 0, 0, {}},
      {"LEGACY_KIOSK_ADDON",
       "b7e2d4f6-1a3c-4b5d-8e9f-0a1b2c3d4e5f",
       "EXCHANGEDESKLESS",
       true,
       "LockedOut",
       5,
       0,
       0,
       {}},
  };
}

std::vector<service_plan> plans_of(const catalogue_sku* entry) {
  std::vector<service_plan> plans;
  if (!entry) return plans;
  for (const catalogue_plan& p : entry->plans) {
    // Tenant-wide plans such as EXCHANGE_S_FOUNDATION apply to the company, the rest to users.
    std::string_view applies = p.name.find("FOUNDATION") != std::string::npos ? "Company" : "User";
    plans.push_back({p.id, p.name, applies});
  }
  return plans;
}

}  // namespace

void build_directory(tenant_state& t) {
  const std::uint64_t seed = t.config.seed;
  t.tenant_id = guid_text(seed, 0x54454e414e54ull, 0);
  t.client_id = guid_text(seed, 0x434c49454e54ull, 0);
  t.client_secret = make_secret(seed);
  t.tenant_name = "Contoso " + std::to_string(seed);
  t.domain = "contoso-" + std::to_string(seed) + ".onmicrosoft.com";
  for (std::uint64_t g = 0; g < 4; ++g) t.groups.push_back(guid_text(seed, 0x47524f5550ull, g));
  // Names as administrators write them: spaces, punctuation, non-ASCII letters.
  t.group_names = {"All Staff - Microsoft 365 E3", "Sales & Marketing (E5)", "Équipe Support, Niveau 2",
                   "Frontline workers F3"};

  const sku_catalogue& cat = sku_catalogue::embedded();
  for (const sku_spec& spec : sku_specs(t.config.clean)) {
    sku_def sku;
    if (spec.guid.empty()) {
      const catalogue_sku* entry = cat.find_by_part_number(spec.part_number);
      // Every part number above is in the embedded catalogue (tested); an empty id would be a data regression.
      sku.sku_id = entry ? entry->sku_id : std::string();
      sku.part_number = entry ? entry->part_number : std::string(spec.part_number);
      sku.plans = plans_of(entry);
    } else {
      sku.sku_id = std::string(spec.guid);
      sku.part_number = std::string(spec.part_number);
      if (!spec.plans_like.empty()) sku.plans = plans_of(cat.find_by_part_number(spec.plans_like));
    }
    sku.in_subscribed_skus = spec.in_subscribed_skus;
    sku.capability_status = spec.capability_status;
    sku.per_mille = spec.per_mille;
    sku.group_only_per_mille = spec.group_only_per_mille;
    sku.direct_and_group_per_mille = spec.direct_and_group_per_mille;
    sku.groups = spec.groups;
    t.sku_by_id.emplace(sku.sku_id, t.skus.size());
    t.skus.push_back(std::move(sku));
  }

  const std::string partner_tenant = guid_text(seed, 0x504152544e4552ull, 0);
  std::uint64_t serial = 0;
  auto add = [&](std::size_t sku, unsigned share, auto&& fill) {
    subscription sub;
    sub.id = guid_text(seed, 0x535542ull, serial);
    sub.commerce_id = guid_text(seed, 0x434f4d4dull, serial);
    sub.sku = sku;
    sub.seat_share_percent = share;
    mix::stream s(mix::hash(seed, 0x53554254494d45ull, serial));
    std::int64_t created = 1609459200 + static_cast<std::int64_t>(s.below(4 * 365)) * 86400;  // 2021–2024
    sub.created = format_time(created);
    sub.next_lifecycle = format_time(created + 365 * 86400 * (1 + static_cast<std::int64_t>(s.below(3))));
    fill(sub);
    t.skus[sku].subscriptions.push_back(t.subscriptions.size());
    t.subscriptions.push_back(std::move(sub));
    ++serial;
  };
  auto nothing = [](subscription&) {};
  auto owned_by = [&](std::uint64_t user, std::string_view type, bool trial) {
    return [&t, user, type, trial](subscription& s) {
      s.owner_id = user_id(t, user);
      s.owner_type = std::string(type);
      s.is_trial = trial;
    };
  };

  if (t.config.clean) {
    for (std::size_t sku = 0; sku < t.skus.size(); ++sku) add(sku, 100, nothing);
    return;
  }
  // Organization-bought: owner fields null. A Deleted self-service purchase on E3 must be ignored by the rules.
  add(slot::e3, 100, nothing);
  add(slot::e3, 0, [&](subscription& s) {
    owned_by(purchaser::e3_deleted, "User", false)(s);
    s.status = "Deleted";
  });
  // Two organization subscriptions of E5; the second names the home tenant itself, which is not a partner.
  add(slot::e5, 60, nothing);
  add(slot::e5, 40, [&](subscription& s) { s.owner_tenant_id = t.tenant_id; });
  add(slot::ems, 100, nothing);
  // Self-service purchases by two users; one is a trial and spells ownerType "user" (so not all are trials).
  add(slot::pbi_pro, 60, owned_by(purchaser::pbi_pro_a, "User", false));
  add(slot::pbi_pro, 40, owned_by(purchaser::pbi_pro_b, "user", true));
  // A user-started trial: the SKU Okta customers saw refused (OfficeDocs-SkypeForBusiness #10335).
  add(slot::teams_exploratory, 100, owned_by(purchaser::teams_trial, "User", true));
  // Partner-created (CSP): ownerTenantId is another tenant, once with owner fields of a partner user, once in
  // upper case (GUIDs compare case-insensitively).
  add(slot::visio, 70, [&](subscription& s) { s.owner_tenant_id = partner_tenant; });
  add(slot::visio, 30, [&](subscription& s) {
    std::string upper = partner_tenant;
    for (char& c : upper)
      if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
    s.owner_tenant_id = upper;
    s.owner_id = guid_text(seed, 0x50555345ull, 0);
    s.owner_type = "User";
  });
  // One SKU bought both centrally and by a user: the pool of a seat cannot be told (mixed_ownership).
  add(slot::project, 50, nothing);
  add(slot::project, 50, owned_by(purchaser::project, "User", false));
  // A viral SKU with an organization subscription (rule 6 before 7); POWER_BI_STANDARD has none at all.
  add(slot::flow_free, 100, nothing);
  // A SKU whose only subscription was deleted: "no subscription at all" (rule 7).
  add(slot::legacy_kiosk, 0, [&](subscription& s) { s.status = "Deleted"; });
}

void size_subscriptions(tenant_state& t) {
  for (sku_def& sku : t.skus) {
    sku.prepaid_enabled = sku.prepaid_warning = sku.prepaid_suspended = sku.prepaid_locked_out = 0;
    for (std::size_t n : sku.subscriptions) {
      subscription& sub = t.subscriptions[n];
      std::uint64_t share = sku.consumed_units * sub.seat_share_percent / 100;
      sub.total_licenses = sub.status == "Deleted" ? 25 : share + share / 10 + 5;
      if (sku.part_number == "FLOW_FREE") sub.total_licenses = 10000;  // as the live capture in SOURCES.md §3
      if (sub.status == "Enabled") sku.prepaid_enabled += sub.total_licenses;
    }
    // Free SKUs without a subscription still show a large enabled pool; a locked-out SKU shows its seats there.
    if (sku.subscriptions.empty() && sku.in_subscribed_skus) sku.prepaid_enabled = 1000000;
    if (sku.capability_status == "LockedOut") sku.prepaid_locked_out = sku.consumed_units + 5;
  }
}

}  // namespace graphsim::detail
