#include "audit/run_audit.hpp"

#include <fmt/format.h>

#include <optional>
#include <unordered_map>
#include <utility>

#include "audit/actions.hpp"
#include "audit/catalogue.hpp"
#include "audit/classify.hpp"
#include "audit/preflight.hpp"
#include "audit/rules_file.hpp"
#include "audit/sku_index.hpp"
#include "audit/text.hpp"

namespace audit {
namespace {

// The finding's columns that come from the user and the verdict; owner_upns and the action are filled later.
storage::finding_record to_finding(const std::string& tenant_id, const storage::user_record& user,
                                   const license_verdict& v) {
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
  r.subscription_ids = join(f.subscription_ids);
  r.owner_ids = join(f.owner_ids);
  r.owner_tenant_ids = join(f.owner_tenant_ids);
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

base::result<audit_summary> run_audit(storage::database& db, std::int64_t scan_id, const audit_options& options) {
  auto scan = db.scan(scan_id);
  if (!scan) return scan.error();
  if (!*scan)
    return base::usage_error(fmt::format("cannot audit scan {}: no such snapshot in '{}'", scan_id, db.path()));
  const std::string tenant_id = to_lower(trim((*scan)->tenant_id));

  auto rules = load_rules(options.rules_path);
  if (!rules) return rules.error();
  auto skus = db.skus(scan_id);
  if (!skus) return skus.error();
  auto subscriptions = db.subscriptions(scan_id);
  if (!subscriptions) return subscriptions.error();

  const catalogue& cat = embedded_catalogue();
  std::optional<managed_skus> managed;
  if (!options.idp_managed_skus.empty()) {
    auto resolved = resolve_managed_skus(options.idp_managed_skus, *skus, cat);
    if (!resolved) return resolved.error();
    managed = std::move(*resolved);
  }
  const sku_index index{*skus, *subscriptions, tenant_id, cat, embedded_signup_list(), *rules};

  // Purchasers are users of the same snapshot. Owner ids come from subscriptions, so one lookup before the users
  // stream completes every finding as it is made (and lets a streaming findings writer take them one by one).
  std::unordered_map<std::string, std::string, ci_hash, ci_equal> upn_of;
  {
    std::vector<std::string> owner_ids;
    for (const auto& s : *subscriptions)
      if (s.owner_id && !trim(*s.owner_id).empty()) owner_ids.push_back(to_lower(trim(*s.owner_id)));
    sort_unique(owner_ids);
    if (!owner_ids.empty()) {
      auto upns = db.user_principal_names(scan_id, owner_ids);
      if (!upns) return upns.error();
      for (auto& [id, upn] : *upns) upn_of.emplace(std::move(id), std::move(upn));
    }
  }
  auto owner_upns = [&](const sku_facts& f) {
    std::vector<std::string> upns;
    for (const auto& id : f.owner_ids)
      if (auto it = upn_of.find(id); it != upn_of.end()) upns.push_back(it->second);
    sort_unique(upns);
    return join(upns);
  };

  audit_summary summary;
  // Classifies one user's licenses and emits their findings, each complete when made.
  auto audit_user = [&](const storage::user_licenses& u, const storage::finding_sink& emit) -> base::result<void> {
    ++summary.users;
    if (u.licenses.empty()) return {};
    ++summary.licensed_users;
    call_outcome call = call_outcome::succeeds;
    bool has_finding = false;
    for (const auto& v : classify(u, index)) {
      ++summary.licenses;
      // Organization licenses are not findings and, outside the managed set, are removed without trouble.
      if (v.origin == origin::organization) continue;
      has_finding = true;
      auto finding = to_finding(tenant_id, u.user, v);
      finding.owner_upns = owner_upns(*v.sku);
      if (managed) {
        idp_outcome outcome = license_outcome(v.origin, v.sku_id, *managed);
        finding.idp_outcome = std::string(to_string(outcome));
        call = combine(call, outcome);
      }
      const auto& rule = v.sku->override_rule;
      finding.recommended_action = recommended_action(v.origin, finding, rule ? rule->reason : std::string_view{});
      if (auto r = emit(finding); !r) return r;
      ++summary.findings;
      ++summary.findings_by_origin[finding.origin];
    }
    if (has_finding) ++summary.users_with_findings;
    count_call(summary, call);
    return {};
  };

  // Findings go to the database as they are made (one transaction for all): memory stays flat in the tenant.
  auto stored = db.replace_findings(scan_id, [&](const storage::finding_sink& emit) -> base::result<void> {
    std::optional<base::error> failed;  // the first error; for_each_user cannot be stopped, so the rest is skipped
    // Findings are stored unordered (reports read them by user principal name), so the unsorted order will do.
    auto streamed = db.for_each_user_as_stored(scan_id, [&](const storage::user_licenses& u) {
      if (failed) return;
      if (auto r = audit_user(u, emit); !r) failed = std::move(r.error());
    });
    if (failed) return *failed;
    return streamed;
  });
  if (!stored) return stored.error();
  return summary;
}

}  // namespace audit
