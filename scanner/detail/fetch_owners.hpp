// scanner/detail/fetch_owners.hpp — the principal names of the tenant's subscription owners, read ahead of the users
// listing so that findings citing a purchaser need not wait for the purchaser's page (docs/graph.md §4.1).
#pragma once

#include "base/error.hpp"
#include "scanner/detail/graph_get.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scanner {

// A user's id (lower-case) and userPrincipalName.
using user_name = std::pair<std::string, std::string>;

// The owner ids of the subscriptions worth reading: each distinct ownerId written as a GUID (lower-cased), in the
// order first met. Another text is never put into a URL.
std::vector<std::string> subscription_owner_ids(const std::vector<storage::subscription_record>& subscriptions);

// The id and userPrincipalName of one GET /users/{id} answer; an error when it is not a user with both.
base::result<user_name> parse_user_name(std::string_view body);

// GET /users/{id}?$select=id,userPrincipalName for each id, twenty to a POST /$batch. An owner Graph answers 404 for
// (no user of the tenant: a partner's object, or deleted) comes with an empty name. An optimisation, never a
// failure: an owner whose item fails otherwise is left out, and a $batch that fails ends the read with the names so
// far and one info line; the listing names those owners when it meets them, as without this read. nullopt when
// stopped.
net::awaitable<unless_stopped<std::vector<user_name>>> fetch_owner_names(graph_client& client, stop_signal& stop,
                                                                         std::vector<std::string> ids);

}  // namespace scanner
