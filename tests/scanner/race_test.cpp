#include "scanner/detail/race.hpp"

#include "graph_client_harness.hpp"
#include "scanner/detail/graph_get.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace graph_client_harness;

namespace {

// Runs task on io for at most `limit`; returns whether it finished, and its exception if it threw.
template <class T>
bool finishes_within(net::io_context& io, net::awaitable<T> task, std::chrono::milliseconds limit,
                     std::exception_ptr& failure) {
  bool done = false;
  net::co_spawn(io, std::move(task), [&](std::exception_ptr e, auto&&...) {
    done = true;
    failure = e;
  });
  io.run_for(limit);
  return done;
}

net::awaitable<int> throws_after(std::chrono::milliseconds delay) {
  net::steady_timer timer(co_await net::this_coro::executor, delay);
  co_await timer.async_wait(net::use_awaitable);
  throw std::runtime_error("a bug in the task");
}

net::awaitable<int> answers_after(std::chrono::milliseconds delay, int value) {
  net::steady_timer timer(co_await net::this_coro::executor, delay);
  co_await timer.async_wait(net::use_awaitable);
  co_return value;
}

}  // namespace

TEST_CASE("a task that throws ends the race at once with its exception, without waiting for the stop") {
  net::io_context io;
  scanner::stop_signal stop(io.get_executor());
  std::exception_ptr failure;
  REQUIRE(finishes_within(io, scanner::unless_stop(throws_after(10ms), stop), 5s, failure));
  REQUIRE(failure);
  CHECK_THROWS_WITH(std::rethrow_exception(failure), "a bug in the task");
}

TEST_CASE("the race yields the task's value, or nothing when the stop comes first") {
  net::io_context io;
  scanner::stop_signal stop(io.get_executor());
  std::optional<int> got;
  auto first = [&]() -> net::awaitable<void> { got = co_await scanner::unless_stop(answers_after(1ms, 7), stop); };
  std::exception_ptr failure;
  REQUIRE(finishes_within(io, first(), 5s, failure));
  CHECK(got == 7);

  io.restart();
  net::steady_timer soon(io, 10ms);
  soon.async_wait([&](auto) { stop.request("SIGINT"); });
  auto second = [&]() -> net::awaitable<void> { got = co_await scanner::unless_stop(answers_after(10s, 8), stop); };
  REQUIRE(finishes_within(io, second(), 5s, failure));
  CHECK_FALSE(got.has_value());
}

TEST_CASE("a page whose parser throws ends the request with that exception instead of hanging until a stop") {
  test_fake::server server(graph([](auto const&, int) { return ok_page(); }));
  client_under_test t(options_for(server.url()));
  scanner::stop_signal stop(t.io.get_executor());
  auto parse = [](std::string_view) -> base::result<int> { throw std::length_error("field value too large"); };
  auto fetching =
      scanner::get_parsed_or_stop<int>(*t.client, scanner::graph_request{"GET", "/v1.0/users", {}, {}}, parse, stop);
  std::exception_ptr failure;
  REQUIRE(finishes_within(t.io, std::move(fetching), 5s, failure));  // Boost's || waited for the stop here
  REQUIRE(failure);
  CHECK_THROWS_WITH(std::rethrow_exception(failure), "field value too large");
}

TEST_CASE("a task without a result races too: true when it finished first, its exception rethrown at once") {
  net::io_context io;
  scanner::stop_signal stop(io.get_executor());
  scanner::stop_signal other(io.get_executor());
  bool first = false;
  net::steady_timer soon(io, 5ms);
  soon.async_wait([&](auto) { other.request("the shards are listed"); });
  auto forwarded = [&]() -> net::awaitable<void> { first = co_await scanner::unless_stop(other.wait(), stop); };
  std::exception_ptr failure;
  REQUIRE(finishes_within(io, forwarded(), 5s, failure));
  CHECK(first);

  io.restart();
  auto throwing = []() -> net::awaitable<void> { co_await throws_after(1ms); };
  REQUIRE(finishes_within(io, scanner::unless_stop(throwing(), stop), 5s, failure));
  CHECK(failure);
}
