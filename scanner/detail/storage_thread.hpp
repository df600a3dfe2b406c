// scanner/detail/storage_thread.hpp — run a storage call on the storage thread while the io_context keeps fetching.
//
// The users chain is sequential, so the only overlap to be had is storing page k while page k+1 is on the wire.
// SQLite work blocks; doing it on a second thread keeps the socket busy. Calls are awaited one at a time, so the
// database connection is never used by two threads at once (storage::database is not thread-safe).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace scanner {

// Runs f() on pool and resumes the caller on its own executor with f's result.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> run_on(boost::asio::thread_pool& pool, F f) {
  using result_type = std::invoke_result_t<F&>;
  auto task =
      [f = std::move(f)]() mutable -> boost::asio::awaitable<result_type, boost::asio::thread_pool::executor_type> {
    co_return f();
  };
  auto spawned = boost::asio::co_spawn(pool.get_executor(), std::move(task), boost::asio::use_awaitable);
  co_return co_await std::move(spawned);
}

}  // namespace scanner
