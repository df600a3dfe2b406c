#include "scanner/detail/fetch_groups.hpp"

#include "base/log.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/parse_batch.hpp"
#include "scanner/detail/retry_policy.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <random>

namespace scanner {
namespace {

constexpr int group_attempts = 3;

struct pending_group {
  std::string id;
  int attempts = 0;
};

}  // namespace

std::string group_url(std::string_view group_id) { return fmt::format("/groups/{}?$select=id,displayName", group_id); }

base::result<storage::group_record> parse_group(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, "a group"); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error("cannot read a group: the body is not a JSON object");
  storage::group_record g{json::lower(json::string_or_empty(doc, "id")), json::string_or_empty(doc, "displayName")};
  if (g.id.empty()) return base::runtime_error("cannot read a group: it has no id");
  return g;
}

net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_group_names(graph_client& client,
                                                                                     stop_signal& stop,
                                                                                     std::vector<std::string> ids) {
  std::vector<storage::group_record> names;
  std::mt19937_64 rng(std::random_device{}());
  std::deque<pending_group> queue;
  for (auto& id : ids) queue.push_back({std::move(id)});
  while (!queue.empty()) {
    std::vector<pending_group> items;
    while (!queue.empty() && items.size() < max_batch_items) {
      items.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    std::vector<batch_request_item> requests;
    for (std::size_t i = 0; i < items.size(); ++i) requests.push_back({std::to_string(i + 1), group_url(items[i].id)});
    graph_request req{"POST", "/v1.0/$batch", batch_request_body(requests), {{"Content-Type", "application/json"}}};
    auto sending =
        get_parsed_or_stop<std::vector<batch_item_response>>(client, std::move(req), parse_batch_response, stop);
    auto answer = co_await std::move(sending);
    if (!answer) {
      base::log(base::log_level::warn, "group names not read: {}", answer.error().message);
      co_return names;
    }
    if (!*answer) co_return unless_stopped<std::vector<storage::group_record>>{};
    std::vector<bool> answered(items.size(), false);
    std::chrono::milliseconds longest{0};
    for (const auto& r : **answer) {
      std::size_t index = 0;
      try {
        index = std::stoul(r.id);
      } catch (const std::exception&) {
        continue;  // not one of ours: the item is still owed an answer
      }
      if (index < 1 || index > items.size() || answered[index - 1]) continue;
      answered[index - 1] = true;
      auto& item = items[index - 1];
      if (r.status == 200) {
        if (auto g = parse_group(r.body)) {
          names.push_back(std::move(*g));
          continue;
        }
      } else if (r.status == 404) {
        continue;  // deleted since the listing: its findings keep the id alone
      } else if (r.status == 401 || r.status == 403) {
        base::log(base::log_level::warn,
                  "group names not read: GET /groups/{{id}} refused ({}): grant the application permission "
                  "GroupMember.Read.All to name the groups of group_inherited findings",
                  r.status);
        co_return names;
      } else if (r.status != 429 && r.status < 500) {
        base::log(base::log_level::warn, "group names not read: GET /v1.0{} answered {} in $batch", group_url(item.id),
                  r.status);
        co_return names;
      }
      auto const after = r.header("retry-after");
      auto const wait = after ? parse_retry_after(*after, std::chrono::system_clock::now()) : std::nullopt;
      longest = std::max(longest, backoff_delay(items[index - 1].attempts + 1, wait, rng));
      answered[index - 1] = false;  // tried again below
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (answered[i]) continue;
      if (++items[i].attempts >= group_attempts) {
        base::log(base::log_level::warn, "group name of {} not read after {} attempts", items[i].id, group_attempts);
        continue;
      }
      queue.push_back(std::move(items[i]));
    }
    if (longest.count() > 0) client.pause_for(longest);
  }
  co_return names;
}

}  // namespace scanner
