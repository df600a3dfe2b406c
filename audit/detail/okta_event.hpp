// audit/detail/okta_event.hpp — which Okta System Log events are license pushes and what they say, whether read from
// the API's JSON or the admin console's CSV (one rule for both).
#pragma once

#include "storage/database.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace audit {

// The LogEvent fields the rule reads.
struct okta_event_fields {
  std::string uuid{};
  std::string published{};
  std::string event_type{};
  std::string result{};      // outcome.result: SUCCESS, FAILURE, …
  std::string text{};        // every text the event carries: displayMessage, outcome.reason, debugData values
  std::string target_upn{};  // the alternateId of the pushed user's target (AppUser, else User)
};

// The two provisioning event types of Okta's Office 365 app that carry a push's outcome (help.okta.com
// ref-apps-events.htm: push_profile "Error updating user", push "Error creating a new user").
inline constexpr std::string_view okta_push_event_types[] = {"application.provision.user.push_profile",
                                                             "application.provision.user.push"};

// What one event is: a license push (event), not one (neither set: counted as another event), or malformed
// (error: one line saying which field is wrong).
struct okta_verdict {
  std::optional<storage::idp_event_record> event{};
  std::string error{};
};

// Applies the rule: a push event type or a text naming microsoft.graph.assignLicense; SUCCESS or FAILURE (another
// outcome is another event); a uuid, a time and a user (the URL's id, else the target) are required.
okta_verdict okta_push(const okta_event_fields& fields, std::string_view source, std::string_view name);

}  // namespace audit
