// scanner/detail/connection_pool.hpp — keep-alive connections shared by every request on one io_context, at most
// max_connections in flight. Internal to scanner/.
#pragma once

#include "scanner/detail/http_connection.hpp"

#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace scanner {

class connection_pool {
 public:
  // Uses tls for every https endpoint; both must outlive the pool. Single-threaded: no strand, no mutex.
  connection_pool(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls, connection_settings settings,
                  unsigned max_connections);

  // Sends req to where (Host is set here) on an idle keep-alive connection if there is one, else a new one;
  // a reused connection the server had closed is replaced and the request resent once, transparently.
  boost::asio::awaitable<transport_result<raw_response>> send(endpoint where, http::request<http::string_body> req);

  // Connections opened so far (tests: keep-alive reuse).
  std::size_t connections_opened() const { return opened_; }

 private:
  boost::asio::awaitable<void> acquire_slot();
  void release_slot();
  boost::asio::awaitable<transport_result<std::unique_ptr<http_connection>>> checkout(const endpoint& where,
                                                                                      bool fresh);

  boost::asio::any_io_executor ex_;
  boost::asio::ssl::context& tls_;
  connection_settings settings_;
  unsigned max_connections_;
  unsigned in_flight_ = 0;
  std::size_t opened_ = 0;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
  std::map<std::string, std::vector<std::unique_ptr<http_connection>>> idle_;  // by endpoint authority + scheme
};

}  // namespace scanner
