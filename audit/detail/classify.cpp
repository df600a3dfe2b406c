#include "audit/detail/classify.hpp"

#include "audit/detail/text.hpp"

namespace audit {
namespace {

void add_token(std::string& evidence, std::string_view token) {
  if (token.empty()) return;
  if (!evidence.empty()) evidence += ';';
  evidence += token;
}

bool has_group(const storage::license_state_record& s) {
  return s.assigned_by_group && !trim(*s.assigned_by_group).empty();
}

// Graph returns the string "None" on success where the docs say null (docs/graph.md §1.1).
bool is_error(std::string_view error) {
  error = trim(error);
  return !error.empty() && !iequals(error, "None");
}

}  // namespace

std::string_view to_string(assignment a) {
  switch (a) {
    case assignment::direct:
      return "direct";
    case assignment::group:
      return "group";
    case assignment::direct_and_group:
      return "direct+group";
    case assignment::unknown:
      return "unknown";
  }
  return "unknown";
}

std::vector<license_verdict> classify(const user_view& user, const sku_index& index) {
  std::vector<license_verdict> verdicts;
  verdicts.reserve(user.licenses.size());
  const bool email_verified = iequals(trim(user.user.creation_type), "EmailVerified");

  for (const auto& license : user.licenses) {
    std::string_view sku_id = trim(license.sku_id);
    if (sku_id.empty()) continue;
    bool duplicate = false;
    for (const auto& v : verdicts) duplicate = duplicate || iequals(v.sku_id, sku_id);
    if (duplicate) continue;

    license_verdict v;
    v.sku_id = to_lower(sku_id);
    v.sku = &index.find(sku_id);

    bool direct = false;
    bool group = false;
    std::vector<std::string> errors;
    for (const auto& state : user.states) {
      if (!iequals(trim(state.sku_id), sku_id)) continue;
      if (has_group(state)) {
        group = true;
        v.group_ids.push_back(to_lower(trim(*state.assigned_by_group)));
      } else {
        direct = true;
      }
      if (is_error(state.error)) errors.push_back("assignment_error:" + std::string(trim(state.error)));
    }
    sort_unique(v.group_ids);
    sort_unique(errors);
    v.assignment = direct && group ? assignment::direct_and_group
                   : direct        ? assignment::direct
                   : group         ? assignment::group
                                   : assignment::unknown;

    // Rule 1 is checked before any subscription fact: Graph refuses direct removal of an inherited license with
    // 400 whoever owns the subscription (docs/graph.md §6).
    const bool group_inherited = group && !direct;
    const sku_facts& f = *v.sku;
    if (f.override_rule) {
      add_token(v.evidence, "rules_override");
      v.origin = f.override_rule->origin;
      // The administrator asserted it: as sure as the rules get, and no finding when they said organization.
      v.confidence = v.origin == origin::organization ? confidence::none : confidence::high;
    } else {
      v.origin = group_inherited ? origin::group_inherited : f.origin;
      v.confidence = confidence_of(v.origin);
    }
    if (group_inherited) add_token(v.evidence, "group_inherited");
    add_token(v.evidence, f.evidence);
    if (email_verified) add_token(v.evidence, "email_verified_user");
    for (const auto& e : errors) add_token(v.evidence, e);
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

}  // namespace audit
