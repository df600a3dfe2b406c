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

// True for a GUID as Graph writes skuIds, in lower case: the only text put unquoted into a groups filter.
bool is_lower_case_guid(std::string_view s);

// The relative URL of the first page of the groups that assign the SKU sku_id (a lower-case GUID):
// $filter=assignedLicenses/any(x:x/skuId eq …), $select=id,displayName, $top=999, $count=true (sent with
// ConsistencyLevel: eventual, so that Graph serves it whether or not it counts the filter as an advanced query).
std::string licensing_groups_url(std::string_view sku_id);

// One page of a groups listing: its groups and its @odata.nextLink (empty on the last page).
struct group_page {
  std::vector<storage::group_record> groups;
  std::string next_link;
};

// The groups of one GET /groups page; an error when the body is not a page of groups (an item without an id or a
// string displayName included).
base::result<group_page> parse_group_page(std::string_view body);

// The names of the groups that assign the tenant's SKUs, read before the users are listed, so that findings are
// named as they are made: the first page of each SKU's licensing_groups_url, twenty SKUs to a POST /$batch, then
// their nextLinks. An optimisation only, never a failure: whatever goes wrong (a refusal, a filter Graph does not
// serve, a broken or looping answer) ends it with the groups read so far and one info line; ids that are not
// canonical GUIDs are skipped (they would change the filter). Each group once, in the order first read. nullopt
// when stopped.
net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_licensing_groups(
    graph_client& client, stop_signal& stop, std::vector<std::string> sku_ids);

// GET /groups/{id}?$select=id,displayName for each id, 20 per POST /$batch. Never fails the scan: a refusal (403: the
// permission GroupMember.Read.All is missing) ends the read with the names so far and one log line naming the
// permission; a deleted group (404) is skipped; an item throttled, failing or unanswered (429, 5xx, a body that is
// not a group, no answer) is sent again up to three times; one closing line names the groups skipped or given up
// on and why; any other failure ends the read with a log line. nullopt when stopped.
net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_group_names(graph_client& client,
                                                                                     stop_signal& stop,
                                                                                     std::vector<std::string> ids);

}  // namespace scanner
