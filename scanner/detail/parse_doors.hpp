// scanner/detail/parse_doors.hpp — the tenant settings behind self-service licenses (docs/graph.md §15):
// GET /v1.0/policies/authorizationPolicy and GET /beta/admin/appsAndServices → door records.
#pragma once

#include "base/error.hpp"
#include "storage/records.hpp"

#include <string_view>
#include <vector>

namespace scanner {

// The signup and email_verified_join doors of an authorizationPolicy body; a property Graph left out (or null)
// gives an unknown door, never a closed one.
base::result<std::vector<storage::door_record>> parse_authorization_policy(std::string_view body);

// The trials and office_store doors of an adminAppsAndServices body, read whether or not Graph wraps the object in
// "value" (Microsoft's example does); a missing setting gives an unknown door.
base::result<std::vector<storage::door_record>> parse_apps_and_services(std::string_view body);

}  // namespace scanner
