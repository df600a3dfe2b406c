// Sources of every door's text and fix: docs/graph.md §15.
#include "audit/doors.hpp"

#include "audit/detail/csv_reader.hpp"
#include "audit/detail/text.hpp"
#include "data/embedded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <unordered_map>

namespace audit {
namespace {

using ci_map = std::unordered_map<std::string, std::string, ci_hash, ci_equal>;

// A two-column lookup from one of data/'s CSVs: key column → value column (header skipped).
ci_map load_map(std::string_view csv, std::size_t key, std::size_t value) {
  ci_map out;
  csv_reader reader(csv);
  std::vector<std::string> fields;
  bool header = true;
  while (reader.next(fields)) {
    if (std::exchange(header, false) || fields.size() <= std::max(key, value)) continue;
    out.try_emplace(std::string(trim(fields[key])), std::string(trim(fields[value])));
  }
  return out;
}

const ci_map& sku_to_product() {
  static const ci_map map = load_map(data::mscommerce_sku_map_csv(), 0, 1);
  return map;
}

const ci_map& product_names() {
  static const ci_map map = load_map(data::mscommerce_products_csv(), 1, 0);
  return map;
}

constexpr std::string_view admin_center_services = "Microsoft 365 admin center > Settings > Org settings > Services";

// The doors Graph shows, one row each: what they let users do and how to close them (docs/graph.md §15).
struct setting_door {
  std::string_view door, title, lets_users;
  std::string_view admin_switch;  // under admin_center_services; empty: no admin-center switch
  std::string_view close_with;
};

constexpr setting_door setting_doors[] = {
    {"signup",
     "Self-service sign-up for email-based subscriptions",
     "sign up with their work address for free and viral offers (Power BI (free), Power Automate Free, "
     "…), which then hold licenses an identity provider cannot remove",
     {},
     R"(PATCH /v1.0/policies/authorizationPolicy {"allowedToSignUpEmailBasedSubscriptions": false} )"
     "(application permission Policy.ReadWrite.Authorization)"},
    {"email_verified_join",
     "Email-verified users joining the tenant",
     "people with an address in one of the tenant's domains join it as email-verified users, "
     "through a self-service sign-up",
     {},
     R"(PATCH /v1.0/policies/authorizationPolicy {"allowEmailVerifiedUsersToJoinOrganization": false} )"
     "(application permission Policy.ReadWrite.Authorization)"},
    {"trials", "Users starting trials on behalf of the organization",
     "start trials of apps and services for the organization (e.g. Microsoft Teams Exploratory), "
     "owned by the user who started them",
     "User owned apps and services > clear \"Let users start trials on behalf of your organization\"",
     R"(PATCH /beta/admin/appsAndServices {"settings": {"isAppAndServicesTrialEnabled": false}} )"
     "(application permission OrgSettings-AppsAndServices.ReadWrite.All; beta, global cloud only)"},
    {"office_store", "The Office Store", "get apps and add-ins from the Office Store",
     "User owned apps and services > clear \"Let users access the Office Store\"",
     R"(PATCH /beta/admin/appsAndServices {"settings": {"isOfficeStoreEnabled": false}} )"
     "(application permission OrgSettings-AppsAndServices.ReadWrite.All; beta, global cloud only)"},
};

storage::door_summary describe(storage::door_record door) {
  storage::door_summary s;
  auto const* setting = std::find_if(std::begin(setting_doors), std::end(setting_doors),
                                     [&](const setting_door& d) { return d.door == door.door; });
  if (setting != std::end(setting_doors)) {
    s.title = setting->title;
    s.lets_users = setting->lets_users;
    s.admin_center = setting->admin_switch.empty()
                         ? "no admin-center switch: Graph or PowerShell only"
                         : fmt::format("{} > {}", admin_center_services, setting->admin_switch);
    s.close_with = setting->close_with;
  } else if (door.product_id.empty()) {
    s.title = "Self-service purchase of products without a known MSCommerce product id";
    s.lets_users = "buy these products with their own payment method";
    s.admin_center =
        fmt::format("{} > Self-service trials and purchases > the product > Do not allow", admin_center_services);
    s.close_with =
        "Get-MSCommerceProductPolicies -PolicyId AllowSelfServicePurchase (find the product's ProductId), "
        "then Update-MSCommerceProductPolicy -PolicyId AllowSelfServicePurchase -ProductId <id> "
        "-Value Disabled";
  } else {
    if (door.product_name.empty()) door.product_name = commerce_product_name(door.product_id);
    std::string const product = door.product_name.empty() ? door.product_id : door.product_name;
    s.title = fmt::format("Self-service purchase of {}", product);
    s.lets_users = door.setting == "OnlyTrialsWithoutPaymentMethod"
                       ? fmt::format("start {} trials without a payment method (buying it is blocked)", product)
                       : fmt::format("buy {} or start its trial with their own payment method", product);
    s.admin_center =
        fmt::format("{} > Self-service trials and purchases > {} > Do not allow", admin_center_services, product);
    s.close_with =
        fmt::format("Update-MSCommerceProductPolicy -PolicyId AllowSelfServicePurchase -ProductId {} -Value Disabled",
                    door.product_id);
  }
  s.door = std::move(door);
  return s;
}

storage::door_record not_read(std::string_view door, std::string note) {
  return {std::string(door), {}, {}, "unknown", {}, {}, std::move(note)};
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto const semi = list.find(';');
    if (trim(list.substr(0, semi)) == token) return true;
    list = semi == std::string_view::npos ? std::string_view{} : list.substr(semi + 1);
  }
  return false;
}

}  // namespace

std::string commerce_product_of(std::string_view sku_part_number) {
  auto it = sku_to_product().find(std::string(trim(sku_part_number)));
  return it == sku_to_product().end() ? std::string() : it->second;
}

std::string commerce_product_name(std::string_view product_id) {
  auto it = product_names().find(std::string(trim(product_id)));
  return it == product_names().end() ? std::string() : it->second;
}

base::result<std::vector<storage::door_summary>> summarize_doors(storage::database& db, std::int64_t scan_id) {
  auto stored = db.doors(scan_id);
  if (!stored) return stored.error();

  std::int64_t signup = 0, joined = 0, trials = 0;
  std::map<std::string, std::int64_t> purchases;  // product id ("" = unknown product) → findings
  auto counted = db.for_each_finding(scan_id, [&](const storage::finding_record& f) {
    if (f.origin == "self_service_signup") ++signup;
    if (f.origin == "self_service_trial") ++trials;
    if (f.origin == "self_service_purchase") ++purchases[commerce_product_of(f.sku_part_number)];
    if (has_token(f.evidence, "email_verified_user")) ++joined;
  });
  if (!counted) return counted.error();

  std::map<std::string, storage::door_record> tenant_wide, products;
  for (auto& d : *stored) {
    if (d.door == "self_service_purchase") products[d.product_id] = std::move(d);
    else tenant_wide[d.door] = std::move(d);
  }
  bool const policies_read = !products.empty();
  for (auto const& [id, n] : purchases) {
    if (products.contains(id)) continue;
    std::string note = id.empty() ? "the SKU has no MSCommerce product id in entra-audit's map (docs/graph.md §15)"
                       : policies_read ? "not in the --commerce-policies file"
                                       : "not read: pass scan --commerce-policies FILE";
    auto door = not_read("self_service_purchase", std::move(note));
    door.product_id = id;
    products[id] = std::move(door);
  }

  std::vector<storage::door_summary> out;
  for (std::string_view name : {"signup", "email_verified_join", "trials", "office_store"}) {
    auto it = tenant_wide.find(std::string(name));
    auto summary = describe(it != tenant_wide.end()
                                ? std::move(it->second)
                                : not_read(name, "not read: the snapshot was taken before entra-audit read the doors"));
    summary.findings = name == "signup"                ? signup
                       : name == "email_verified_join" ? joined
                       : name == "trials"              ? trials
                                                       : 0;
    out.push_back(std::move(summary));
  }
  // Products with a known id first, in id order; the findings without one last.
  for (int pass = 0; pass < 2; ++pass)
    for (auto& [id, door] : products) {
      if (id.empty() != (pass == 1)) continue;
      auto summary = describe(std::move(door));
      auto found = purchases.find(id);
      summary.findings = found == purchases.end() ? 0 : found->second;
      out.push_back(std::move(summary));
    }
  return out;
}

bool any_open(const std::vector<storage::door_summary>& doors) {
  for (auto const& d : doors)
    if (d.door.state == "open") return true;
  return false;
}

}  // namespace audit
