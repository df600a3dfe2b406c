// Sources of every row (microsoftgraph/microsoft-graph-docs-contrib, v1.0 pages and their permission includes, and
// microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json, the file those tables are generated
// from): docs/graphsim.md, "Application permissions".
#include "graphsim/permissions.hpp"

#include "graphsim/detail/text.hpp"

#include <array>

namespace graphsim {
namespace {

// user-list.md / user-get.md, Application row. (permissions.json also lists User.ReadBasic.All, which reads only
// the basic profile: none of the license properties a scan selects, so it is not accepted here.)
constexpr std::array<std::string_view, 4> read_users{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                                                     "Directory.ReadWrite.All"};
// organization-get-permissions.md, Application row; permissions.json adds User.Read.All.
constexpr std::array<std::string_view, 5> read_organization{"Organization.Read.All", "User.Read.All",
                                                            "Directory.Read.All", "Organization.ReadWrite.All",
                                                            "Directory.ReadWrite.All"};
// permissions.json marks LicenseAssignment.Read.All least privileged; subscribedsku-list-permissions.md lists
// Organization.Read.All first and the others as higher.
constexpr std::array<std::string_view, 5> read_skus{"LicenseAssignment.Read.All", "Organization.Read.All",
                                                    "Directory.Read.All", "Directory.ReadWrite.All",
                                                    "Organization.ReadWrite.All"};
// directory-list-subscriptions-permissions.md, Application row (not in permissions.json).
constexpr std::array<std::string_view, 3> read_subscriptions{"Organization.Read.All", "Directory.Read.All",
                                                             "Organization.ReadWrite.All"};
// permissions.json (/users/{id}/licenseDetails); the rendered page still says "Application: Not supported".
constexpr std::array<std::string_view, 5> read_license_details{"LicenseAssignment.Read.All", "User.Read.All",
                                                               "User.ReadWrite.All", "Directory.Read.All",
                                                               "Directory.ReadWrite.All"};
// user-assignlicense-permissions.md, Application row.
constexpr std::array<std::string_view, 5> assign_licenses{"LicenseAssignment.ReadWrite.All", "User.ReadWrite.All",
                                                          "Directory.ReadWrite.All", "AgentIdUser.ReadWrite.All",
                                                          "AgentIdUser.ReadWrite.IdentityParentedBy"};

// authorizationpolicy-get.md, Application row.
constexpr std::array<std::string_view, 2> read_authorization_policy{"Policy.Read.All",
                                                                    "Policy.ReadWrite.Authorization"};
// beta adminappsandservices-get-permissions.md, Application row.
constexpr std::array<std::string_view, 2> read_apps_and_services{"OrgSettings-AppsAndServices.Read.All",
                                                                 "OrgSettings-AppsAndServices.ReadWrite.All"};

// group-get-permissions.md, Application row.
constexpr std::array<std::string_view, 5> read_groups{"GroupMember.Read.All", "Group.Read.All", "Directory.Read.All",
                                                      "Group.ReadWrite.All", "Directory.ReadWrite.All"};

}  // namespace

std::span<const std::string_view> accepted_roles(route_id route) {
  switch (route) {
    case route_id::users_list:
    case route_id::users_delta:
    case route_id::user_get:
      return read_users;
    case route_id::organization:
      return read_organization;
    case route_id::subscribed_skus:
      return read_skus;
    case route_id::subscriptions:
      return read_subscriptions;
    case route_id::user_license_details:
      return read_license_details;
    case route_id::user_assign_license:
      return assign_licenses;
    case route_id::authorization_policy:
      return read_authorization_policy;
    case route_id::apps_and_services:
      return read_apps_and_services;
    case route_id::group_get:
    case route_id::groups_list:
      return read_groups;
    case route_id::batch:
    case route_id::unknown:
    case route_id::unknown_version:
      break;
  }
  return {};
}

bool roles_allow(route_id route, std::span<const std::string> roles) {
  auto const accepted = accepted_roles(route);
  if (accepted.empty()) return true;
  for (auto const& role : roles)
    for (auto a : accepted)
      if (iequals(role, a)) return true;
  return false;
}

std::vector<std::string> default_roles() {
  return {"User.Read.All",
          "Organization.Read.All",
          "LicenseAssignment.ReadWrite.All",
          "Policy.Read.All",
          "OrgSettings-AppsAndServices.Read.All",
          "GroupMember.Read.All"};
}

std::vector<std::string> parse_roles(std::string_view list) {
  std::vector<std::string> roles;
  while (!list.empty()) {
    auto const comma = list.find(',');
    auto const name = trim(list.substr(0, comma));
    if (!name.empty()) roles.emplace_back(name);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return roles;
}

}  // namespace graphsim
