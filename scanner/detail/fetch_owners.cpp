#include "scanner/detail/fetch_owners.hpp"

#include "base/log.hpp"
#include "scanner/detail/fetch_groups.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/parse_batch.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace scanner {

std::vector<std::string> subscription_owner_ids(const std::vector<storage::subscription_record>& subscriptions) {
  std::vector<std::string> out;
  for (const auto& s : subscriptions) {
    if (!s.owner_id) continue;
    auto id = json::lower(*s.owner_id);
    if (is_lower_case_guid(id) && std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
  }
  return out;
}

base::result<user_name> parse_user_name(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, "a user"); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error("cannot read a user: the body is not a JSON object");
  user_name u{json::lower(json::string_or_empty(doc, "id")), json::string_or_empty(doc, "userPrincipalName")};
  if (u.first.empty() || u.second.empty())
    return base::runtime_error("cannot read a user: it has no id or no userPrincipalName");
  return u;
}

net::awaitable<unless_stopped<std::vector<user_name>>> fetch_owner_names(graph_client& client, stop_signal& stop,
                                                                         std::vector<std::string> ids) {
  std::vector<user_name> out;
  for (std::size_t first = 0; first < ids.size(); first += max_batch_items) {
    std::size_t const n = std::min(max_batch_items, ids.size() - first);
    std::vector<batch_request_item> requests;
    for (std::size_t i = 0; i < n; ++i)
      requests.push_back(
          {std::to_string(i + 1), fmt::format("/users/{}?$select=id,userPrincipalName", ids[first + i])});
    graph_request req{"POST", "/v1.0/$batch", batch_request_body(requests), {{"Content-Type", "application/json"}}};
    auto sending =
        get_parsed_or_stop<std::vector<batch_item_response>>(client, std::move(req), parse_batch_response, stop);
    auto answer = co_await std::move(sending);
    if (!answer) {
      base::log(base::log_level::info,
                "subscription owners not named ahead of the users ({}): findings citing them wait for their pages",
                answer.error().message);
      co_return out;
    }
    if (!*answer) co_return unless_stopped<std::vector<user_name>>{};
    auto const answers = answers_by_request(**answer, n);
    for (std::size_t i = 0; i < n; ++i) {
      if (answers[i] == nullptr) continue;
      const auto& r = *answers[i];
      auto const& id = ids[first + i];
      if (r.status == 404) {
        out.push_back({id, {}});  // no user of the tenant: the listing will not meet it either
        continue;
      }
      // Only the owner asked for under this item: a body naming another user is not taken for it.
      if (auto u = r.status == 200 ? parse_user_name(r.body) : base::runtime_error("not read"); u && u->first == id)
        out.push_back(std::move(*u));
    }
  }
  co_return out;
}

}  // namespace scanner
