// scanner/detail/graph_get.hpp — send a Graph request whose body is parsed inside the client's body check (internal).
//
// Parsing in the check means a body that does not parse is retried like a 5xx, and parsed only once.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/race.hpp"
#include "scanner/detail/stop_signal.hpp"
#include "scanner/graph_client.hpp"

#include <optional>
#include <string_view>
#include <utility>

namespace scanner {

// What a request raced against a stop yields: nullopt when the stop came first.
template <class T>
using unless_stopped = std::optional<T>;

// Sends req and returns parse(body) of the final 2xx response; a parse failure makes the client retry.
template <class T, class Parse>
net::awaitable<base::result<T>> get_parsed(graph_client& client, graph_request req, Parse parse) {
  std::optional<T> parsed;
  // Named locals, not temporaries, in co_await calls: g++ 12 mis-destroys converted temporaries there.
  body_check check = [&parsed, parse](const graph_response& r) -> base::result<void> {
    auto p = parse(std::string_view(r.body));
    if (!p) return p.error();
    parsed = std::move(*p);
    return {};
  };
  auto sending = client.send(std::move(req), std::move(check));
  auto response = co_await std::move(sending);
  if (!response) co_return response.error();
  co_return std::move(*parsed);
}

// Like get_parsed, abandoned (nullopt) as soon as stop is requested; an exception inside it is rethrown at once.
template <class T, class Parse>
net::awaitable<base::result<unless_stopped<T>>> get_parsed_or_stop(graph_client& client, graph_request req, Parse parse,
                                                                   stop_signal& stop) {
  auto fetching = get_parsed<T>(client, std::move(req), std::move(parse));
  auto raced = co_await unless_stop(std::move(fetching), stop);
  if (!raced) co_return unless_stopped<T>{};
  auto& got = *raced;
  if (!got) co_return got.error();
  co_return unless_stopped<T>{std::move(*got)};
}

}  // namespace scanner
