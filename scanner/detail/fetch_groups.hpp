// scanner/detail/fetch_groups.hpp — the optional read of a scan's licensing groups' display names (docs/graph.md §17).
#pragma once

#include "base/error.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// The relative URL of one group's name inside a batch ($select keeps the answer small and its cost at 1 RU).
std::string group_url(std::string_view group_id);

// The id and displayName of one GET /groups/{id} answer; an error when the body is not a group.
base::result<storage::group_record> parse_group(std::string_view body);

// GET /groups/{id}?$select=id,displayName for each id, 20 per POST /$batch. Never fails the scan: a refusal (403: the
// permission GroupMember.Read.All is missing) ends the read with the names so far and one log line naming the
// permission; a deleted group (404) is skipped; an item throttled, failing or unanswered (429, 5xx, a body that is
// not a group, no answer) is sent again up to three times; one closing line names the groups skipped or given up
// on and why; any other failure ends the read with a log line. nullopt when stopped.
net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_group_names(graph_client& client,
                                                                                     stop_signal& stop,
                                                                                     std::vector<std::string> ids);

}  // namespace scanner
