#include "scanner/detail/connection_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

namespace scanner {

namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

std::string key_of(const endpoint& where) { return (where.tls ? "https://" : "http://") + where.authority(); }

// Host header: the default port is left out, as browsers and curl do.
std::string host_header(const endpoint& where) {
  auto const origin = where.origin();
  return origin.substr(origin.find("://") + 3);
}

}  // namespace

connection_pool::connection_pool(net::any_io_executor ex, net::ssl::context& tls, connection_settings settings,
                                 unsigned max_connections)
    : ex_(std::move(ex)), tls_(tls), settings_(std::move(settings)), max_connections_(std::max(1u, max_connections)) {}

net::awaitable<void> connection_pool::acquire_slot() {
  while (in_flight_ >= max_connections_) {
    auto timer = std::make_shared<net::steady_timer>(ex_, net::steady_timer::time_point::max());
    waiters_.push_back(timer);
    co_await timer->async_wait(use_tuple);  // woken by release_slot() cancelling it
  }
  ++in_flight_;
}

void connection_pool::release_slot() {
  --in_flight_;
  // Wake every waiter to re-check: one woken alone might be a coroutine already cancelled by a stop, and the
  // free slot would then go unnoticed.
  for (auto& w : waiters_) w->cancel();
  waiters_.clear();
}

net::awaitable<transport_result<std::unique_ptr<http_connection>>> connection_pool::checkout(const endpoint& where,
                                                                                             bool fresh) {
  auto& idle = idle_[key_of(where)];
  if (!fresh && !idle.empty()) {
    auto conn = std::move(idle.back());
    idle.pop_back();
    co_return conn;
  }
  ++opened_;
  co_return co_await http_connection::open(ex_, where, tls_, settings_);
}

net::awaitable<transport_result<raw_response>> connection_pool::send(endpoint where,
                                                                     http::request<http::string_body> req) {
  co_await acquire_slot();
  // Released on every path, including a coroutine destroyed while suspended at shutdown.
  struct slot_guard {
    connection_pool* pool;
    ~slot_guard() { pool->release_slot(); }
  } guard{this};
  req.set(http::field::host, host_header(where));
  for (bool fresh : {false, true}) {
    auto conn = co_await checkout(where, fresh);
    if (!conn) co_return conn.error();
    auto response = co_await (*conn)->exchange(req);
    if (!response) {
      if (response.error().stale && !fresh) continue;  // the server closed an idle connection: not a failure
      co_return response.error();
    }
    auto& idle = idle_[key_of(where)];
    if (response->keep_alive && idle.size() < max_connections_) idle.push_back(std::move(*conn));
    co_return response;
  }
  co_return transport_error{"unreachable", false, false};
}

}  // namespace scanner
