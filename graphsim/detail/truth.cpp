// The ground truth: docs/design.md §3's ordered origin rules applied to the data as the emulator serves it now,
// written as docs/design.md §4's findings CSV. Deliberately independent of audit/ and reports/ (docs/design.md §1.1).
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/sku_catalogue.hpp"
#include "graphsim/detail/tenant_model.hpp"

#include <algorithm>
#include <ostream>

namespace graphsim::detail {
namespace {

enum class sub_kind { partner, user, organization };

bool iequals(std::string_view a, std::string_view b) { return ascii_lower(a) == ascii_lower(b); }

// docs/design.md §3.1: partner-created if ownerTenantId is set and differs from the home tenant; else user-owned if
// ownerType is User in any case; else organization.
sub_kind kind_of(const tenant_state& t, const subscription& s) {
  if (s.owner_tenant_id && !s.owner_tenant_id->empty() && !iequals(*s.owner_tenant_id, t.tenant_id))
    return sub_kind::partner;
  if (s.owner_type && iequals(*s.owner_type, "User")) return sub_kind::user;
  return sub_kind::organization;
}

std::string_view confidence_of(origin o) {
  switch (o) {
    case origin::group_inherited:
    case origin::self_service_trial:
    case origin::self_service_purchase:
      return "high";
    case origin::partner_managed:
    case origin::mixed_ownership:
    case origin::self_service_signup:
      return "medium";
    case origin::unattributed:
      return "low";
    case origin::organization:
      return "";
  }
  return "";
}

std::string_view action_of(origin o) {
  switch (o) {
    case origin::group_inherited:
      return "Remove the user from the licensing group or change the group's licenses; direct removal is refused.";
    case origin::partner_managed:
      return "Ask the partner that created the subscription to release or move the seat.";
    case origin::self_service_trial:
      return "Take over or let the user cancel the self-service trial; block trials with MSCommerce.";
    case origin::self_service_purchase:
      return "Take over the self-service purchase in the Microsoft 365 admin center, then reassign or remove it.";
    case origin::mixed_ownership:
      return "Check in the admin center which subscription the seat comes from before removing it.";
    case origin::self_service_signup:
      return "Review the free sign-up; turn off self-service sign-up if it is unwanted.";
    case origin::unattributed:
      return "Find the subscription behind this SKU (missing from subscribedSkus or without one) before removing it.";
    case origin::organization:
      return "";
  }
  return "";
}

// Appends one RFC 4180 cell: formula characters neutralised with a leading quote, quoted only when needed.
void append_cell(std::string& out, std::string_view text) {
  std::string cell;
  if (!text.empty() &&
      (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r'))
    cell += '\'';
  cell += text;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) {
    out += cell;
    return;
  }
  out += '"';
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string join_sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ';';
    out += s;
  }
  return out;
}

// The cells that depend on the SKU only.
struct sku_cells {
  std::string part_number, product_name, subscription_ids, owner_ids, owner_upns, owner_tenant_ids, is_trial;
};

sku_cells cells_of(const tenant_state& t, std::size_t sku) {
  const sku_def& def = t.skus[sku];
  const catalogue_sku* entry = sku_catalogue::embedded().find_by_id(def.sku_id);
  sku_cells c;
  // sku_part_number: subscribedSkus, else the catalogue (trimmed), else empty.
  if (def.in_subscribed_skus) c.part_number = def.part_number;
  else if (entry) c.part_number = entry->part_number;
  if (entry) c.product_name = entry->product_name;
  std::vector<std::string> ids, owners, upns, tenants;
  bool all_trial = true;
  const auto subs = live_subscriptions(t, sku);
  for (const subscription* s : subs) {
    ids.push_back(mix::normalise_guid(s->id));
    all_trial = all_trial && s->is_trial;
    if (s->owner_id) {
      owners.push_back(mix::normalise_guid(*s->owner_id));
      if (auto owner = index_of_user_id(t, *s->owner_id)) {
        std::string upn;
        append_upn(t, make_profile(t, *owner), upn);
        upns.push_back(std::move(upn));
      }
    }
    if (s->owner_tenant_id) tenants.push_back(mix::normalise_guid(*s->owner_tenant_id));
  }
  c.subscription_ids = join_sorted(std::move(ids));
  c.owner_ids = join_sorted(std::move(owners));
  c.owner_upns = join_sorted(std::move(upns));
  c.owner_tenant_ids = join_sorted(std::move(tenants));
  if (!subs.empty()) c.is_trial = all_trial ? "true" : "false";  // no subscription: unknown, an empty cell
  return c;
}

struct truth_row {
  std::string upn;
  std::uint64_t user = 0;
  std::uint8_t license = 0;  // position in the user's license_set
  std::uint8_t sku = 0;
};

}  // namespace

std::string_view to_text(origin o) {
  switch (o) {
    case origin::group_inherited:
      return "group_inherited";
    case origin::partner_managed:
      return "partner_managed";
    case origin::self_service_trial:
      return "self_service_trial";
    case origin::self_service_purchase:
      return "self_service_purchase";
    case origin::mixed_ownership:
      return "mixed_ownership";
    case origin::self_service_signup:
      return "self_service_signup";
    case origin::unattributed:
      return "unattributed";
    case origin::organization:
      return "organization";
  }
  return "organization";
}

std::vector<const subscription*> live_subscriptions(const tenant_state& t, std::size_t sku) {
  std::vector<const subscription*> subs;
  // Join on skuId like a client would (case-insensitive), not on the tenant's own index.
  for (const subscription& s : t.subscriptions)
    if (iequals(t.skus[s.sku].sku_id, t.skus[sku].sku_id) && !iequals(s.status, "Deleted")) subs.push_back(&s);
  return subs;
}

classification classify(const tenant_state& t, const user_profile& p, const user_license& l) {
  classification c;
  bool matched = false;
  auto match = [&](origin o, std::string_view token) {
    c.evidence.push_back(token);
    if (!matched) c.result = o;
    matched = true;
  };
  bool direct = false, group = false, assignment_error = false;
  for (std::size_t n = 0; n < l.state_count; ++n) {
    (l.states[n].group < 0 ? direct : group) = true;
    assignment_error = assignment_error || l.states[n].state == state_kind::error ||
                       l.states[n].state == state_kind::active_with_error;
  }
  if (group && !direct) match(origin::group_inherited, "group_assigned_only");

  const sku_def& def = t.skus[l.sku];
  const auto subs = live_subscriptions(t, l.sku);
  std::size_t partner = 0, user = 0, organization = 0, trials = 0;
  for (const subscription* s : subs) {
    switch (kind_of(t, *s)) {
      case sub_kind::partner:
        ++partner;
        break;
      case sub_kind::user:
        ++user;
        break;
      case sub_kind::organization:
        ++organization;
        break;
    }
    trials += s->is_trial ? 1 : 0;
  }
  const std::size_t n = subs.size();
  if (n > 0 && partner == n) match(origin::partner_managed, "partner_subscription");
  if (n > 0 && user == n && trials == n) match(origin::self_service_trial, "user_owned_trial");
  if (n > 0 && user == n) match(origin::self_service_purchase, "user_owned_subscription");
  if ((partner > 0) + (user > 0) + (organization > 0) > 1) match(origin::mixed_ownership, "mixed_subscription_owners");
  if (embedded_signup_skus().contains(def.sku_id)) {
    match(origin::self_service_signup, "signup_sku");
    if (p.email_verified) c.evidence.push_back("email_verified_user");
  }
  if (!def.in_subscribed_skus) match(origin::unattributed, "not_in_subscribed_skus");
  else if (n == 0) match(origin::unattributed, "no_subscription");
  if (l.state_count == 0) c.evidence.push_back("assignment_state_missing");
  if (assignment_error) c.evidence.push_back("assignment_error");
  return c;
}

}  // namespace graphsim::detail

namespace graphsim {

void tenant::write_truth_csv(std::ostream& out) const {
  using namespace detail;
  const tenant_state& t = *impl_;
  std::vector<sku_cells> per_sku;
  for (std::size_t sku = 0; sku < t.skus.size(); ++sku) per_sku.push_back(cells_of(t, sku));

  std::vector<truth_row> rows;
  license_set licenses;
  for (std::uint64_t i = 0; i < t.config.users; ++i) {
    // The truth at the end of a scan: users deleted during it have no findings left.
    if (std::binary_search(t.scheduled_deletions.begin(), t.scheduled_deletions.end(), i)) continue;
    if (std::binary_search(t.churn_deleted.begin(), t.churn_deleted.end(), i)) continue;
    const user_profile p = make_profile(t, i);
    current_licenses(t, p, licenses);
    for (std::uint8_t n = 0; n < licenses.count; ++n) {
      if (classify(t, p, licenses.items[n]).result == origin::organization) continue;
      truth_row row;
      append_upn(t, p, row.upn);
      row.user = i;
      row.license = n;
      row.sku = licenses.items[n].sku;
      rows.push_back(std::move(row));
    }
  }
  // user_principal_name, then sku_part_number, then sku_id, comparing UTF-8 bytes (std::string compares chars
  // as unsigned through char_traits<char>::compare → memcmp).
  std::sort(rows.begin(), rows.end(), [&](const truth_row& a, const truth_row& b) {
    if (int c = a.upn.compare(b.upn)) return c < 0;
    if (int c = per_sku[a.sku].part_number.compare(per_sku[b.sku].part_number)) return c < 0;
    return t.skus[a.sku].sku_id < t.skus[b.sku].sku_id;
  });

  std::string line =
      "tenant_id,user_id,user_principal_name,display_name,account_enabled,user_type,department,sku_id,"
      "sku_part_number,product_name,origin,confidence,evidence,assignment,group_ids,subscription_ids,owner_ids,"
      "owner_upns,owner_tenant_ids,is_trial,idp_outcome,recommended_action,group_names\r\n";
  out << line;
  for (const truth_row& row : rows) {
    const user_profile p = make_profile(t, row.user);
    current_licenses(t, p, licenses);
    const user_license& l = licenses.items[row.license];
    const classification c = classify(t, p, l);
    const sku_cells& cells = per_sku[row.sku];
    bool direct = false, group = false;
    std::vector<std::pair<std::string, std::string>> groups;  // (id, name)
    for (std::size_t n = 0; n < l.state_count; ++n) {
      if (l.states[n].group < 0) {
        direct = true;
      } else {
        group = true;
        auto const g = static_cast<std::size_t>(l.states[n].group);
        groups.emplace_back(t.groups[g], t.group_names[g]);
      }
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    std::vector<std::string> group_ids;
    std::string group_names;
    for (const auto& [id, name] : groups) {
      group_ids.push_back(id);
      if (!t.config.groups_readable) continue;
      if (!group_names.empty()) group_names += ';';
      group_names += name;
    }
    std::string evidence;
    for (std::string_view token : c.evidence) {
      if (!evidence.empty()) evidence += ';';
      evidence += token;
    }
    std::string display;
    append_display_name(p, display);
    line.clear();
    bool first = true;
    auto cell = [&](std::string_view text) {
      if (!first) line += ',';
      first = false;
      append_cell(line, text);
    };
    cell(t.tenant_id);
    cell(user_id(t, row.user));
    cell(row.upn);
    cell(display);
    cell(p.enabled ? "true" : "false");
    cell(p.guest ? "Guest" : "Member");
    cell(p.department);
    cell(t.skus[row.sku].sku_id);
    cell(cells.part_number);
    cell(cells.product_name);
    cell(to_text(c.result));
    cell(confidence_of(c.result));
    cell(evidence);
    cell(direct && group ? "direct+group" : direct ? "direct" : group ? "group" : "unknown");
    cell(join_sorted(std::move(group_ids)));
    cell(cells.subscription_ids);
    cell(cells.owner_ids);
    cell(cells.owner_upns);
    cell(cells.owner_tenant_ids);
    cell(cells.is_trial);
    cell("");
    cell(action_of(c.result));
    cell(group_names);
    line += "\r\n";
    out << line;
  }
}

}  // namespace graphsim
