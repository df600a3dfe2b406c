#include "audit/detail/user_auditor.hpp"

#include "audit/detail/actions.hpp"
#include "audit/detail/catalogue.hpp"
#include "audit/detail/classify.hpp"
#include "audit/detail/preflight.hpp"
#include "audit/detail/sku_index.hpp"
#include "audit/detail/text.hpp"
#include "audit/rules_file.hpp"
#include "storage/finding_row.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace audit {
namespace {

// The columns of a finding that depend on its SKU only (and on the owners met so far), made once per SKU rather
// than for each of its findings.
struct sku_cells {
  bool made = false;
  std::string subscription_ids, owner_ids, owner_tenant_ids;
  std::uint64_t owners_version = ~std::uint64_t{0};  // of owner_upns and actions
  std::string owner_upns;
  std::unordered_map<int, std::string> actions;  // by origin; see cached_action
};

// The finding's columns that come from the user, the verdict and its SKU; the action is filled later.
// Every column but idp_outcome and recommended_action is set here: a column added to storage::finding_fields must be
// set here too (the count below is the tripwire).
// group_names (the 23rd) is set by name_groups once the groups' names are known.
static_assert(storage::finding_field_count == 23, "a findings column was added: set it in to_finding");
storage::finding_record to_finding(const std::string& tenant_id, const storage::user_record& user,
                                   const license_verdict& v, const sku_cells& cells) {
  const sku_facts& f = *v.sku;
  storage::finding_record r;
  r.tenant_id = tenant_id;
  r.user_id = to_lower(trim(user.id));
  r.user_principal_name = user.user_principal_name;
  r.display_name = user.display_name;
  r.account_enabled = user.account_enabled;
  r.user_type = user.user_type;
  r.department = user.department;
  r.sku_id = v.sku_id;
  r.sku_part_number = f.part_number;
  r.product_name = f.product_name;
  r.origin = std::string(to_string(v.origin));
  r.confidence = std::string(to_string(v.confidence));
  r.evidence = v.evidence;
  r.assignment = std::string(to_string(v.assignment));
  r.group_ids = join(v.group_ids);
  r.subscription_ids = cells.subscription_ids;
  r.owner_ids = cells.owner_ids;
  r.owner_upns = cells.owner_upns;
  r.owner_tenant_ids = cells.owner_tenant_ids;
  r.is_trial = f.is_trial;
  return r;
}

void count_call(audit_summary& s, call_outcome c) {
  switch (c) {
    case call_outcome::refused_403:
      ++s.users_call_refused_403;
      break;
    case call_outcome::refused_400:
      ++s.users_call_refused_400;
      break;
    case call_outcome::may_be_refused:
      ++s.users_call_may_be_refused;
      break;
    case call_outcome::succeeds:
      break;
  }
}

}  // namespace

struct user_auditor::state {
  std::string tenant_id;
  std::vector<storage::sku_record> skus;
  std::vector<storage::subscription_record> subscriptions;
  std::optional<managed_skus> managed;
  std::optional<sku_index> index;
  std::vector<std::string> owner_ids;
  std::unordered_map<std::string, std::string, ci_hash, ci_equal> upn_of;
  std::uint64_t owners_version = 0;  // bumped by each set_owner_upn
  // Each known group's name, and whether a finding has named it (met): a streamed audit's finish rewrites findings
  // for a renamed group only when one named it.
  struct group_name {
    std::string name;
    mutable bool met = false;
  };
  std::unordered_map<std::string, group_name, ci_hash, ci_equal> group_name_of;
  mutable std::unordered_set<std::string, ci_hash, ci_equal> unknown_groups_met;  // named by findings, name unknown
  std::unordered_map<const sku_facts*, sku_cells> cells;
  audit_summary summary;

  std::string owner_upns(const sku_facts& f) const {
    std::vector<std::string> upns;
    for (const auto& id : f.owner_ids)
      if (auto it = upn_of.find(id); it != upn_of.end() && !it->second.empty()) upns.push_back(it->second);
    sort_unique(upns);
    return join(upns);
  }

  const sku_cells& cells_of(const sku_facts& f) {
    sku_cells& c = cells[&f];
    if (!c.made) {
      c.subscription_ids = join(f.subscription_ids);
      c.owner_ids = join(f.owner_ids);
      c.owner_tenant_ids = join(f.owner_tenant_ids);
      c.made = true;
    }
    if (c.owners_version != owners_version) {
      c.owner_upns = owner_upns(f);
      c.actions.clear();
      c.owners_version = owners_version;
    }
    return c;
  }

  // The action of a finding, made once per (SKU, origin) where it cites nothing of the user's: every origin but
  // group_inherited (its groups are the user's) on a SKU the index knows (unknown SKUs share one entry but not
  // their ids).
  std::string action_for(origin o, const sku_facts& f, const storage::finding_record& finding) {
    std::string_view const reason = f.override_rule ? std::string_view(f.override_rule->reason) : std::string_view{};
    if (o == origin::group_inherited || f.sku_id.empty()) return recommended_action(o, finding, reason);
    auto& actions = cells[&f].actions;
    auto [it, fresh] = actions.try_emplace(static_cast<int>(o));
    if (fresh) it->second = recommended_action(o, finding, reason);
    return it->second;
  }
};

user_auditor::user_auditor(std::unique_ptr<state> s) : s_(std::move(s)) {}
user_auditor::user_auditor(user_auditor&&) noexcept = default;
user_auditor& user_auditor::operator=(user_auditor&&) noexcept = default;
user_auditor::~user_auditor() = default;

base::result<user_auditor> user_auditor::create(storage::database& db, std::int64_t scan_id,
                                                const audit_options& options) {
  auto scan = db.scan(scan_id);
  if (!scan) return scan.error();
  if (!*scan)
    return base::usage_error(fmt::format("cannot audit scan {}: no such snapshot in '{}'", scan_id, db.path()));
  auto s = std::make_unique<state>();
  s->tenant_id = to_lower(trim((*scan)->tenant_id));

  auto rules = load_rules(options.rules_path);
  if (!rules) return rules.error();
  auto skus = db.skus(scan_id);
  if (!skus) return skus.error();
  auto subscriptions = db.subscriptions(scan_id);
  if (!subscriptions) return subscriptions.error();
  s->skus = std::move(*skus);
  s->subscriptions = std::move(*subscriptions);
  // A whole audit finds every name stored; a streamed one finds those read ahead of the listing and is told the
  // others at its finish.
  auto groups = db.groups(scan_id);
  if (!groups) return groups.error();
  for (const auto& g : *groups)
    s->group_name_of.insert_or_assign(to_lower(trim(g.id)), state::group_name{g.display_name});

  const catalogue& cat = embedded_catalogue();
  if (!options.idp_managed_skus.empty()) {
    auto resolved = resolve_managed_skus(options.idp_managed_skus, s->skus, cat);
    if (!resolved) return resolved.error();
    s->managed = std::move(*resolved);
  }
  s->index.emplace(s->skus, s->subscriptions, s->tenant_id, cat, embedded_signup_list(), *rules);
  for (const auto& sub : s->subscriptions)
    if (sub.owner_id && !trim(*sub.owner_id).empty()) s->owner_ids.push_back(to_lower(trim(*sub.owner_id)));
  sort_unique(s->owner_ids);
  return user_auditor(std::move(s));
}

const std::vector<std::string>& user_auditor::owner_ids() const { return s_->owner_ids; }

void user_auditor::set_owner_upn(const std::string& owner_id, const std::string& upn) {
  s_->upn_of.insert_or_assign(to_lower(trim(owner_id)), upn);
  ++s_->owners_version;
}

void user_auditor::forget_owner_upn(const std::string& owner_id) {
  if (s_->upn_of.erase(to_lower(trim(owner_id))) > 0) ++s_->owners_version;
}

const audit_summary& user_auditor::summary() const { return s_->summary; }

bool user_auditor::owners_met(const storage::finding_record& f) const {
  if (f.owner_ids.empty()) return true;
  const sku_facts& sku = s_->index->find(f.sku_id);
  return std::all_of(sku.owner_ids.begin(), sku.owner_ids.end(),
                     [&](const std::string& id) { return s_->upn_of.contains(id); });
}

void user_auditor::set_group_name(const std::string& group_id, const std::string& display_name) {
  auto const id = to_lower(trim(group_id));
  auto& known = s_->group_name_of[id];
  known.name = display_name;
  if (s_->unknown_groups_met.erase(id) > 0) known.met = true;
}

bool user_auditor::group_named(const std::string& group_id) const {
  auto const id = to_lower(trim(group_id));
  auto const it = s_->group_name_of.find(id);
  return (it != s_->group_name_of.end() && it->second.met) || s_->unknown_groups_met.contains(id);
}

void user_auditor::name_groups(storage::finding_record& f) const {
  f.group_names.clear();
  std::string_view ids = f.group_ids;
  while (!ids.empty()) {
    auto const cut = ids.find(';');
    auto const id = ids.substr(0, cut);
    auto const it = s_->group_name_of.find(std::string(id));
    if (it == s_->group_name_of.end()) {
      s_->unknown_groups_met.emplace(id);
    } else {
      it->second.met = true;
      if (!it->second.name.empty()) {
        if (!f.group_names.empty()) f.group_names += ';';
        // A ';' inside a name would split it in the list cell: shown as ','.
        for (char c : it->second.name) f.group_names += c == ';' ? ',' : c;
      }
    }
    ids = cut == std::string_view::npos ? std::string_view{} : ids.substr(cut + 1);
  }
}

void user_auditor::name_owners(storage::finding_record& f) const {
  const sku_facts& sku = s_->index->find(f.sku_id);
  auto const o = parse_origin(f.origin);
  if (!o) return;  // not a finding this auditor made
  f.owner_upns = s_->cells_of(sku).owner_upns;
  f.recommended_action = s_->action_for(*o, sku, f);
}

base::result<void> user_auditor::audit(const user_view& u, const storage::finding_sink& emit) {
  return audit(u, [&](storage::finding_record&& f) { return emit(f); });
}

base::result<void> user_auditor::audit(const user_view& u, const finding_taker& take) {
  auto& summary = s_->summary;
  ++summary.users;
  if (u.licenses.empty()) return {};
  ++summary.licensed_users;
  call_outcome call = call_outcome::succeeds;
  bool has_finding = false;
  for (const auto& v : classify(u, *s_->index)) {
    ++summary.licenses;
    // Organization licenses are not findings and, outside the managed set, are removed without trouble.
    if (v.origin == origin::organization) continue;
    has_finding = true;
    auto finding = to_finding(s_->tenant_id, u.user, v, s_->cells_of(*v.sku));
    if (s_->managed) {
      idp_outcome outcome = license_outcome(v.origin, v.sku_id, *s_->managed);
      finding.idp_outcome = std::string(to_string(outcome));
      call = combine(call, outcome);
    }
    finding.recommended_action = s_->action_for(v.origin, *v.sku, finding);
    name_groups(finding);
    ++summary.findings;
    ++summary.findings_by_origin[finding.origin];
    if (auto r = take(std::move(finding)); !r) return r;
  }
  if (has_finding) ++summary.users_with_findings;
  count_call(summary, call);
  return {};
}

}  // namespace audit
