// scanner/detail/stop_signal.hpp — a one-shot "stop now" that coroutines can poll or race against (SIGINT/SIGTERM).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <string>

namespace scanner {

// Single-threaded (one io_context): no strand, no mutex.
class stop_signal {
 public:
  explicit stop_signal(boost::asio::any_io_executor ex);

  // Requests the stop (idempotent) and wakes every waiter; reason names it in messages ("SIGINT").
  void request(std::string reason);
  // True once request() was called.
  bool requested() const { return requested_; }
  const std::string& reason() const { return reason_; }
  // Completes when the stop is requested (at once if it already was); race it with unless_stop (race.hpp) to
  // abandon I/O — not with Boost 1.81's `||`, which ignores a branch that throws.
  boost::asio::awaitable<void> wait();

 private:
  boost::asio::steady_timer timer_;  // never expires: request() cancels it to wake the waiters
  bool requested_ = false;
  std::string reason_;
};

}  // namespace scanner
