#include "scanner/detail/fetch_groups.hpp"

#include "base/log.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/parse_batch.hpp"
#include "scanner/detail/retry_policy.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <random>
#include <unordered_set>

namespace scanner {
namespace {

// docs/graph.md §17: an item answered 429 or 5xx is sent again up to three times (four attempts in all).
constexpr int group_retries = 3;

struct pending_group {
  std::string id;
  int attempts = 0;
  std::string failure = {};  // why its latest attempt failed: the line that gives up on it says so
};

// A group whose name stays empty, and why.
struct missed_group {
  std::string id;
  std::string why;
  bool deleted = false;  // 404: nothing went wrong, the group is gone
};

// One line for every name the read gave up on, whatever the number of groups: the design promises one clear line
// naming the cause (a storm of 5xx over hundreds of groups must not bury the log), so only the first few are named.
void log_missed(const std::vector<missed_group>& missed, std::size_t groups) {
  if (missed.empty()) return;
  constexpr std::size_t named = 5;
  std::string list;
  for (std::size_t i = 0; i < missed.size() && i < named; ++i)
    list += fmt::format("{}{} ({})", i == 0 ? "" : "; ", missed[i].id, missed[i].why);
  if (missed.size() > named) list += fmt::format("; and {} more", missed.size() - named);
  bool const all_deleted = std::ranges::all_of(missed, [](const missed_group& m) { return m.deleted; });
  base::log(all_deleted ? base::log_level::info : base::log_level::warn,
            "group names of {} of {} groups not read, their findings name them by id only: {}", missed.size(), groups,
            list);
}

// "503 serviceNotAvailable": the item's status and Graph's error code, when it has one.
std::string item_status(const batch_item_response& r) {
  auto const error = parse_graph_error(r.body);
  return error.code.empty() ? std::to_string(r.status) : fmt::format("{} {}", r.status, error.code);
}

// The read ahead stops at these, far beyond any tenant's licensing groups: a server that keeps paging cannot hold
// the scan or fill its memory.
constexpr int max_group_pages = 100;  // per SKU, its first (in the $batch) included: 99,900 groups
constexpr std::size_t max_groups_ahead = 100000;

base::result<storage::group_record> group_from(const json::value& v) {
  if (!v.IsObject()) return base::runtime_error("cannot read a group: it is not a JSON object");
  storage::group_record g{json::lower(json::string_or_empty(v, "id")), json::string_or_empty(v, "displayName")};
  if (g.id.empty()) return base::runtime_error("cannot read a group: it has no id");
  // Graph's groups always have a displayName (it is required): one missing or of another type is a broken answer,
  // which must be said, not stored as an empty name without a word.
  if (auto const* name = json::member(v, "displayName"); name == nullptr || !name->IsString())
    return base::runtime_error("cannot read a group: its displayName is missing or not a string");
  return g;
}

}  // namespace

std::string group_url(std::string_view group_id) { return fmt::format("/groups/{}?$select=id,displayName", group_id); }

base::result<storage::group_record> parse_group(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, "a group"); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error("cannot read a group: the body is not a JSON object");
  return group_from(doc);
}

bool is_lower_case_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool const dash = i == 8 || i == 13 || i == 18 || i == 23;
    char const c = s[i];
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string licensing_groups_url(std::string_view sku_id) {
  std::string const filter = fmt::format("assignedLicenses/any(x:x/skuId eq {})", sku_id);
  return fmt::format("/groups?$filter={}&$select=id,displayName&$top=999&$count=true", form_encode(filter));
}

base::result<group_page> parse_group_page(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, "a page of groups"); !parsed) return parsed.error();
  auto const* items = doc.IsObject() ? json::member(doc, "value") : nullptr;
  if (items == nullptr || !items->IsArray())
    return base::runtime_error("cannot read a page of groups: it has no \"value\" array");
  group_page page;
  for (const auto& item : items->GetArray()) {
    auto g = group_from(item);
    if (!g) return g.error();
    page.groups.push_back(std::move(*g));
  }
  page.next_link = json::string_or_empty(doc, "@odata.nextLink");
  return page;
}

net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_licensing_groups(
    graph_client& client, stop_signal& stop, std::vector<std::string> sku_ids) {
  using groups = std::vector<storage::group_record>;
  groups out;
  std::vector<std::string> skus;
  for (const auto& id : sku_ids) {
    auto sku = json::lower(id);
    if (is_lower_case_guid(sku) && std::find(skus.begin(), skus.end(), sku) == skus.end())
      skus.push_back(std::move(sku));
  }
  std::unordered_set<std::string> have;
  // False once the groups pass the cap.
  auto const keep = [&](group_page& page) {
    for (auto& g : page.groups)
      if (have.insert(g.id).second) out.push_back(std::move(g));
    return out.size() <= max_groups_ahead;
  };
  auto const stopped_early = [&](std::string_view why) {
    base::log(base::log_level::info,
              "licensing groups not listed ahead of the users ({}): the names not read are read by id after the "
              "listing",
              why);
  };
  header_list const advanced{{std::string(advanced_query_header), std::string(advanced_query_value)}};
  std::vector<std::string> more;  // the nextLinks of SKUs with more than one page
  for (std::size_t first = 0; first < skus.size(); first += max_batch_items) {
    std::size_t const n = std::min(max_batch_items, skus.size() - first);
    std::vector<batch_request_item> requests;
    for (std::size_t i = 0; i < n; ++i)
      requests.push_back({std::to_string(i + 1), licensing_groups_url(skus[first + i]), advanced});
    graph_request req{"POST", "/v1.0/$batch", batch_request_body(requests), {{"Content-Type", "application/json"}}};
    auto sending =
        get_parsed_or_stop<std::vector<batch_item_response>>(client, std::move(req), parse_batch_response, stop);
    auto answer = co_await std::move(sending);
    if (!answer) {
      stopped_early(answer.error().message);
      co_return out;
    }
    if (!*answer) co_return unless_stopped<groups>{};
    auto const answers = answers_by_request(**answer, n);
    for (std::size_t i = 0; i < n; ++i) {
      auto const& url = requests[i].url;
      if (answers[i] == nullptr) {
        stopped_early(fmt::format("no answer for GET /v1.0{} in the $batch", url));
        co_return out;
      }
      const auto& r = *answers[i];
      if (r.status != 200) {
        stopped_early(fmt::format("GET /v1.0{} answered {} in $batch", url, item_status(r)));
        co_return out;
      }
      auto page = parse_group_page(r.body);
      if (!page) {
        stopped_early(fmt::format("GET /v1.0{}: {}", url, page.error().message));
        co_return out;
      }
      if (!keep(*page)) {
        stopped_early(fmt::format("more than {} groups", max_groups_ahead));
        co_return out;
      }
      if (!page->next_link.empty()) more.push_back(std::move(page->next_link));
    }
  }
  std::unordered_set<std::string> seen;
  for (auto& link : more) {
    for (int pages = 2; !link.empty(); ++pages) {
      if (pages > max_group_pages) {
        stopped_early(fmt::format("a SKU's licensing groups span more than {} pages", max_group_pages));
        co_return out;
      }
      if (!seen.insert(link).second) {
        stopped_early("a nextLink leads back to a page already read");
        co_return out;
      }
      graph_request req{"GET", link, {}, advanced};
      auto fetching = get_parsed_or_stop<group_page>(client, std::move(req), parse_group_page, stop);
      auto page = co_await std::move(fetching);
      if (!page) {
        stopped_early(page.error().message);
        co_return out;
      }
      if (!*page) co_return unless_stopped<groups>{};
      if (!keep(**page)) {
        stopped_early(fmt::format("more than {} groups", max_groups_ahead));
        co_return out;
      }
      link = std::move((*page)->next_link);
    }
  }
  co_return out;
}

net::awaitable<unless_stopped<std::vector<storage::group_record>>> fetch_group_names(graph_client& client,
                                                                                     stop_signal& stop,
                                                                                     std::vector<std::string> ids) {
  std::vector<storage::group_record> names;
  std::vector<missed_group> missed;
  std::size_t const groups = ids.size();
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
    std::vector<bool> settled(items.size(), false);  // named, or gone (404): not sent again
    std::chrono::milliseconds longest{0};
    auto const answers = answers_by_request(**answer, items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto& item = items[i];
      if (answers[i] == nullptr) {
        item.failure = "no answer in the $batch";  // still owed one: sent again
        continue;
      }
      const auto& r = *answers[i];
      if (r.status == 200) {
        auto g = parse_group(r.body);
        if (g) {
          names.push_back(std::move(*g));
          settled[i] = true;
          continue;
        }
        item.failure = "invalid body: " + g.error().message;
      } else if (r.status == 404) {
        // Deleted since the listing: its findings keep the id alone, and the closing line says why.
        missed.push_back({item.id, "404: deleted since the listing", true});
        settled[i] = true;
        continue;
      } else if (r.status == 401 || r.status == 403) {
        base::log(base::log_level::warn,
                  "group names not read: GET /groups/{{id}} refused ({}): grant the application permission "
                  "GroupMember.Read.All to name the groups of group_inherited findings",
                  r.status);
        co_return names;
      } else if (r.status != 429 && r.status < 500) {
        base::log(base::log_level::warn, "group names not read: GET /v1.0{} answered {} in $batch", group_url(item.id),
                  item_status(r));
        co_return names;
      } else {
        item.failure = item_status(r);
      }
      auto const after = r.header("retry-after");
      auto const wait = after ? parse_retry_after(*after, std::chrono::system_clock::now()) : std::nullopt;
      longest = std::max(longest, backoff_delay(item.attempts + 1, wait, rng));
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (settled[i]) continue;
      if (++items[i].attempts > group_retries) {
        missed.push_back({items[i].id, fmt::format("{} after {} attempts", items[i].failure, items[i].attempts)});
        continue;
      }
      queue.push_back(std::move(items[i]));
    }
    if (longest.count() > 0) client.pause_for(longest);
  }
  log_missed(missed, groups);
  co_return names;
}

}  // namespace scanner
