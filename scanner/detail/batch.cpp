#include "scanner/detail/batch.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/parse_batch.hpp"
#include "scanner/detail/parse_license_details.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/retry_policy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <random>

namespace scanner {
namespace {

using clock = std::chrono::steady_clock;

// A 429/503 item with Retry-After does not use up its attempts (docs/design.md §2.4), but a server that throttles the
// same item this often is not going to answer it.
constexpr int max_item_throttles = 100;

struct pending_item {
  std::string user_id;
  int failures = 0;   // 5xx, missing answers, bodies that do not parse
  int throttles = 0;  // 429/503 with Retry-After
  clock::time_point ready_at{};
};

// State shared by the coordinator and its batch coroutines; lives in the coordinator's frame, which outlives
// every batch (the coordinator returns only when none is in flight).
struct batch_run {
  graph_client& client;
  batch_limits& limits;
  stop_signal& stop;
  batch_counters& counters;
  std::deque<pending_item> queue;
  std::vector<storage::license_plan_record> rows;
  std::optional<base::error> failure;
  unsigned in_flight = 0;
  net::steady_timer wake;
  std::mt19937_64 rng{std::random_device{}()};

  void fail(base::error e) {
    if (!failure) failure = std::move(e);
  }
};

// Up to max_batch_items items whose wait is over, in queue order.
std::vector<pending_item> take_ready(std::deque<pending_item>& queue, clock::time_point now, std::size_t most) {
  std::vector<pending_item> out;
  for (auto it = queue.begin(); it != queue.end() && out.size() < most;) {
    if (it->ready_at <= now) {
      out.push_back(std::move(*it));
      it = queue.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

clock::time_point earliest_ready(const std::deque<pending_item>& queue) {
  auto earliest = clock::time_point::max();
  for (auto const& item : queue) earliest = std::min(earliest, item.ready_at);
  return earliest;
}

std::string item_failure(const pending_item& item, const batch_item_response& r) {
  auto const error = parse_graph_error(r.body);
  std::string line = fmt::format("GET /v1.0{} (in $batch) failed: {}", license_details_url(item.user_id), r.status);
  if (!error.code.empty()) line += " " + error.code;
  if (!error.message.empty()) line += ": " + error.message;
  if (!error.request_id.empty()) line += fmt::format(" (request-id {})", error.request_id);
  return line;
}

// Handles one answered item: its rows, a retry, or the run's failure. Returns the wait a throttled item asks for.
std::chrono::milliseconds settle(batch_run& run, pending_item item, const batch_item_response& r,
                                 std::vector<pending_item>& retry, bool& throttled) {
  std::string const url = license_details_url(item.user_id);
  if (r.status / 100 == 2) {
    auto parsed = parse_license_details(item.user_id, r.body);
    if (parsed) {
      for (auto& row : *parsed) run.rows.push_back(std::move(row));
      return {};
    }
    if (++item.failures >= max_attempts) {
      run.fail(
          base::runtime_error(fmt::format("GET /v1.0{} (in $batch) failed: invalid response body after {} "
                                          "attempts: {}",
                                          url, item.failures, parsed.error().message)));
      return {};
    }
    item.ready_at = clock::now() + backoff_delay(item.failures, std::nullopt, run.rng);
    retry.push_back(std::move(item));
    return {};
  }
  if (r.status == 404) {
    ++run.counters.items_not_found;
    base::log(base::log_level::debug, "GET /v1.0{} (in $batch): 404, the user was deleted since the listing", url);
    return {};
  }
  if (!is_retryable_status(r.status)) {
    auto const body = parse_graph_error(r.body);
    run.fail(base::service_error(item_failure(item, r), {r.status, body.code, body.request_id}));
    return {};
  }
  std::optional<std::chrono::milliseconds> retry_after;
  if (auto value = r.header("retry-after")) retry_after = parse_retry_after(*value, std::chrono::system_clock::now());
  if (r.status == 429) {
    throttled = true;
    ++run.counters.items_throttled;
  }
  std::chrono::milliseconds wait{0};
  if ((r.status == 429 || r.status == 503) && retry_after) {
    if (++item.throttles > max_item_throttles) {
      run.fail(base::runtime_error(item_failure(item, r) + fmt::format(" (throttled {} times)", max_item_throttles)));
      return {};
    }
    wait = std::min(*retry_after, max_wait);  // the whole client pauses for it: Graph's budget is shared
  } else {
    if (++item.failures >= max_attempts) {
      run.fail(base::runtime_error(item_failure(item, r) + fmt::format(" after {} attempts", item.failures)));
      return {};
    }
    item.ready_at = clock::now() + backoff_delay(item.failures, std::nullopt, run.rng);
  }
  retry.push_back(std::move(item));
  return wait;
}

net::awaitable<void> run_batch(batch_run& run, std::vector<pending_item> items) {
  std::vector<batch_request_item> requests;
  requests.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    requests.push_back({std::to_string(i + 1), license_details_url(items[i].user_id)});
  graph_request req{"POST", "/v1.0/$batch", batch_request_body(requests), {{"Content-Type", "application/json"}}};

  auto const throttled_before = run.client.stats().throttled;
  auto sending =
      get_parsed_or_stop<std::vector<batch_item_response>>(run.client, std::move(req), parse_batch_response, run.stop);
  auto answer = co_await std::move(sending);
  ++run.counters.batches;
  if (!answer) co_return run.fail(answer.error());
  if (!*answer) co_return;  // stopped: the caller discards everything

  // An outer 429 the client retried counts as throttling too, for the pacer as well.
  bool throttled = run.client.stats().throttled > throttled_before;
  auto const answered_at = clock::now();
  if (throttled) run.limits.pacer.observe(ru_feedback{std::nullopt, std::nullopt, true}, answered_at);
  std::chrono::milliseconds longest{0};
  std::vector<pending_item> retry;
  // Every item is costed and reported on its own (docs/graph.md §7–§8), so every item teaches the pacer.
  for (auto const& r : **answer)
    run.limits.pacer.observe(
        read_ru_feedback(r.status, r.header("x-ms-resource-unit"), r.header("x-ms-throttle-limit-percentage")),
        answered_at);
  // An answer not ours, or a duplicate, is ignored: its item is still owed an answer.
  auto const answers = answers_by_request(**answer, items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    if (answers[i] != nullptr)
      longest = std::max(longest, settle(run, std::move(items[i]), *answers[i], retry, throttled));
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (answers[i] != nullptr) continue;
    if (++items[i].failures >= max_attempts) {
      run.fail(base::runtime_error(fmt::format("GET /v1.0{} (in $batch) got no answer after {} attempts",
                                               license_details_url(items[i].user_id), items[i].failures)));
      continue;
    }
    retry.push_back(std::move(items[i]));
  }

  if (throttled) {
    run.limits.in_flight.on_throttled();
    run.limits.items.on_throttled();
  } else {
    run.limits.in_flight.on_success();
    run.limits.items.on_success();
  }
  if (longest.count() > 0) run.client.pause_for(longest);
  run.counters.items_retried += static_cast<std::int64_t>(retry.size());
  for (auto& item : retry) run.queue.push_back(std::move(item));
}

}  // namespace

std::string license_details_url(std::string_view user_id) {
  return fmt::format("/users/{}/licenseDetails?$select=skuId,skuPartNumber,servicePlans", user_id);
}

net::awaitable<base::result<unless_stopped<std::vector<storage::license_plan_record>>>> fetch_license_details(
    graph_client& client, std::vector<std::string> user_ids, batch_limits& limits, stop_signal& stop,
    batch_counters& counters) {
  auto const ex = co_await net::this_coro::executor;
  batch_run run{client, limits, stop, counters, {}, {}, {}, 0, net::steady_timer(ex), {}};
  for (auto& id : user_ids) run.queue.push_back({std::move(id)});

  for (;;) {
    bool const draining = run.failure.has_value() || stop.requested();
    if (!draining) {
      auto const now = clock::now();
      while (run.in_flight < limits.in_flight.current() && !run.queue.empty() && limits.pacer.next_send(now) <= now) {
        auto items = take_ready(run.queue, now, std::min<std::size_t>(max_batch_items, limits.items.current()));
        if (items.empty()) break;
        limits.pacer.reserve(limits.pacer.estimate(items.size()), now);
        ++run.in_flight;
        net::co_spawn(ex, run_batch(run, std::move(items)), [&run](std::exception_ptr e) {
          --run.in_flight;
          if (e) run.fail(base::internal_error(e, "a licenseDetails batch"));
          run.wake.cancel();
        });
      }
    }
    if (run.in_flight == 0 && (draining || run.queue.empty())) break;
    // Sleep until a batch finishes (it cancels the timer) or, with room to spare, until a delayed item is due
    // and the pacer lets the next batch go.
    bool const room = !draining && run.in_flight < limits.in_flight.current();
    auto const due = run.queue.empty() ? clock::time_point::max()
                                       : std::max(earliest_ready(run.queue), limits.pacer.next_send(clock::now()));
    run.wake.expires_at(room ? due : clock::time_point::max());
    co_await run.wake.async_wait(net::as_tuple(net::use_awaitable));
  }

  if (run.failure) co_return *run.failure;
  if (stop.requested()) co_return unless_stopped<std::vector<storage::license_plan_record>>{};
  co_return unless_stopped<std::vector<storage::license_plan_record>>{std::move(run.rows)};
}

net::awaitable<base::result<unless_stopped<bool>>> probe_license_details(graph_client& client, stop_signal& stop) {
  graph_request list{"GET", "/v1.0/users?$select=id&$top=1", {}, {}};
  auto listing = get_parsed_or_stop<parsed_user_page>(client, std::move(list), parse_user_page, stop);
  auto page = co_await std::move(listing);
  if (!page) co_return page.error();
  if (!*page) co_return unless_stopped<bool>{};
  if ((*page)->page.users.empty()) co_return unless_stopped<bool>{true};
  std::string const id = (*page)->page.users.front().id;
  graph_request details{"GET", "/v1.0" + license_details_url(id), {}, {}};
  auto reading = get_parsed_or_stop<std::vector<storage::license_plan_record>>(
      client, std::move(details), [&id](std::string_view body) { return parse_license_details(id, body); }, stop);
  auto read = co_await std::move(reading);
  if (!read && read.error().reply.http_status == 403) co_return unless_stopped<bool>{false};
  if (!read) co_return read.error();
  if (!*read) co_return unless_stopped<bool>{};
  co_return unless_stopped<bool>{true};
}

}  // namespace scanner
