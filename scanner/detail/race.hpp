// scanner/detail/race.hpp — race a task against a stop, where an exception counts as finishing (internal to scanner/).
//
// Boost 1.81's `a || b` (experimental::awaitable_operators) waits for the first branch that *succeeds*
// (wait_for_one_success): a branch that throws is not a finish, so `request || stop.wait()` whose request threw
// waited for a stop that never came, and the process hung with no output (docs/security.md). Here the first branch
// to finish wins, whether it returned or threw; the other is cancelled, and an exception is rethrown.
#pragma once

#include "scanner/detail/stop_signal.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace scanner {

// task's result, or nullopt when stop is requested first; task's exception is rethrown as soon as it is thrown.
template <class T>
boost::asio::awaitable<std::optional<T>> unless_stop(boost::asio::awaitable<T> task, stop_signal& stop) {
  namespace net = boost::asio;
  namespace ex = boost::asio::experimental;
  if (stop.requested()) co_return std::nullopt;
  // Wrapped in an optional: the parallel group needs a default-constructible result.
  auto wrapped = [](net::awaitable<T> t) -> net::awaitable<std::optional<T>> {
    co_return std::optional<T>(co_await std::move(t));
  };
  auto executor = co_await net::this_coro::executor;
  auto [order, task_error, result, stop_error] =
      co_await ex::make_parallel_group(net::co_spawn(executor, wrapped(std::move(task)), net::deferred),
                                       net::co_spawn(executor, stop.wait(), net::deferred))
          .async_wait(ex::wait_for_one(), net::use_awaitable);
  if (order[0] == 0) {
    if (task_error) std::rethrow_exception(task_error);
    co_return std::move(result);
  }
  if (stop_error) std::rethrow_exception(stop_error);
  co_return std::nullopt;
}

// The same for a task without a result: true when it finished first, false when stop came first. E.g. two stops
// forwarded into one: co_await unless_stop(outer.wait(), inner).
inline boost::asio::awaitable<bool> unless_stop(boost::asio::awaitable<void> task, stop_signal& stop) {
  auto finished = [](boost::asio::awaitable<void> t) -> boost::asio::awaitable<bool> {
    co_await std::move(t);
    co_return true;
  };
  auto raced = co_await unless_stop(finished(std::move(task)), stop);
  co_return raced.has_value();
}

}  // namespace scanner
