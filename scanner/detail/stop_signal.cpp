#include "scanner/detail/stop_signal.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace scanner {

namespace net = boost::asio;

stop_signal::stop_signal(net::any_io_executor ex) : timer_(ex, net::steady_timer::time_point::max()) {}

void stop_signal::request(std::string reason) {
  if (requested_) return;
  requested_ = true;
  reason_ = std::move(reason);
  timer_.cancel();
}

net::awaitable<void> stop_signal::wait() {
  if (requested_) co_return;
  // Ends when request() cancels the timer, or when an enclosing race (unless_stop) cancels this branch because the
  // other one finished first — then this branch's result is ignored, so returning is harmless either way.
  co_await timer_.async_wait(net::as_tuple(net::use_awaitable));
}

}  // namespace scanner
