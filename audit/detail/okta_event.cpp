#include "audit/detail/okta_event.hpp"

#include "audit/detail/graph_failure_text.hpp"
#include "audit/detail/text.hpp"

#include <algorithm>

namespace audit {

okta_verdict okta_push(const okta_event_fields& f, std::string_view source, std::string_view name) {
  auto const failure = read_graph_failure(f.text);
  bool const push_type = std::find(std::begin(okta_push_event_types), std::end(okta_push_event_types), f.event_type) !=
                         std::end(okta_push_event_types);
  if (!push_type && !failure.names_assign_license) return {};
  std::string outcome;
  if (iequals(f.result, "SUCCESS")) outcome = "success";
  else if (iequals(f.result, "FAILURE")) outcome = "failure";
  else if (f.result.empty() && failure.http_status) outcome = "failure";
  else if (f.result.empty()) return {{}, "the event has no outcome.result (SUCCESS or FAILURE)"};
  else return {};  // SKIPPED, ALLOW, …: not a push that reached Graph
  if (trim(f.uuid).empty()) return {{}, "the event has no uuid"};
  auto const when = normalize_time(f.published);
  if (!when) return {{}, "the event's published time is missing or not ISO 8601"};
  std::string upn = failure.user_id.empty() ? clean_text(trim(f.target_upn), 320) : std::string{};
  if (failure.user_id.empty() && upn.empty())
    return {{}, "the event names no user: no …/users/<id>/microsoft.graph.assignLicense URL and no target alternateId"};
  storage::idp_event_record e{.event_id = clean_text(trim(f.uuid), 200),
                              .source = std::string(source),
                              .observed_at = *when,
                              .outcome = outcome,
                              .user_id = failure.user_id,
                              .user_principal_name = std::move(upn),
                              .http_status = outcome == "failure" ? failure.http_status : std::nullopt,
                              .error_code = outcome == "failure" ? failure.error_code : std::string{},
                              .error_message = outcome == "failure" ? failure.error_message : std::string{},
                              .request_id = failure.request_id,
                              .event_type = clean_text(f.event_type, 200),
                              .ingested_from = std::string(name)};
  return {std::move(e), {}};
}

}  // namespace audit
