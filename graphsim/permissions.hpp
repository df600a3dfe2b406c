// graphsim/permissions.hpp — the application permissions (token `roles`) each Graph route accepts, as Graph's
// permission tables list them (docs/graphsim.md, "Application permissions"): any one of them suffices.
#pragma once

#include "graphsim/detail/routes.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

// The permissions route accepts, least privileged first; empty for routes that need none ($batch: each item is
// checked on its own; unknown routes answer 400 first).
std::span<const std::string_view> accepted_roles(route_id route);

// True if roles hold one of the permissions route accepts (compared without regard to ASCII case).
bool roles_allow(route_id route, std::span<const std::string> roles);

// The roles a token carries when `sim --roles` is not given: what a scan needs (User.Read.All,
// Organization.Read.All), the optional reads (Policy.Read.All, OrgSettings-AppsAndServices.Read.All for the doors,
// GroupMember.Read.All for group names), plus
// LicenseAssignment.ReadWrite.All, so the identity provider's assignLicense works too.
std::vector<std::string> default_roles();

// The roles of `sim --roles LIST`: comma-separated, spaces around names dropped, empty names skipped ("" = none).
std::vector<std::string> parse_roles(std::string_view list);

}  // namespace graphsim
