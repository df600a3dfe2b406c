// audit/detail/origin.hpp — the fixed vocabulary of license origins (docs/design.md §3) and the IdP outcomes (§4.3).
#pragma once

#include <optional>
#include <string_view>

namespace audit {

// In rule order; organization is "none of the above" and not a finding.
enum class origin {
  group_inherited,
  partner_managed,
  self_service_trial,
  self_service_purchase,
  mixed_ownership,
  self_service_signup,
  unattributed,
  organization,
};

enum class confidence { high, medium, low, none };

// What an identity provider's assignLicense does to a license (docs/design.md §4.3 idp_outcome).
enum class idp_outcome { unaffected, removal_refused_403, removal_refused_400, removal_may_be_refused };

// The contract name of each value, as written in the CSV.
std::string_view to_string(origin o);
std::string_view to_string(confidence c);
std::string_view to_string(idp_outcome o);

// Parses an origin name; nullopt when it is not one of the fixed names.
std::optional<origin> parse_origin(std::string_view name);

// The confidence the rule table gives an origin.
confidence confidence_of(origin o);

// The idp_outcome of a license of this origin that the provider would remove.
idp_outcome removal_outcome(origin o);

}  // namespace audit
