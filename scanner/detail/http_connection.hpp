// scanner/detail/http_connection.hpp — one keep-alive HTTP/1.1 connection (plain loopback or TLS, maybe through a
// CONNECT proxy) with a deadline on every step and a limit on every body. Internal to scanner/.
#pragma once

#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

namespace scanner {

namespace beast = boost::beast;
namespace http = beast::http;

// Why an exchange failed below HTTP, and whether trying again may help.
struct transport_error {
  std::string message;    // one line: the step that failed and why, never a header value
  bool retryable = true;  // timeouts, resets, truncation: yes; certificate and proxy refusals: no
  bool stale = false;     // a reused keep-alive connection failed before any response byte: resend at once
};
[[noreturn]] void throw_exception_from_error(transport_error const& e, boost::source_location const& loc);

// A complete response as read from the wire (header names lower-case).
struct raw_response {
  unsigned status = 0;
  std::string body;
  header_list headers;
  bool keep_alive = false;
};

template <class T>
using transport_result = boost::system::result<T, transport_error>;

// Bounds and routes for every connection.
struct connection_settings {
  std::chrono::milliseconds timeout = default_attempt_timeout;  // each of connect, handshake, write, read
  std::optional<std::chrono::milliseconds> connect_timeout;     // the TCP connect alone, when shorter (IMDS probe)
  std::size_t body_limit = max_response_body;                   // responses larger than this are refused
  std::optional<std::string> https_proxy;                       // http://[user:pass@]host:port
  std::string no_proxy;
};

class http_connection {
 public:
  // Connects (through the proxy unless NO_PROXY or loopback says otherwise) and completes the TLS handshake,
  // verifying the certificate chain and the host name.
  static boost::asio::awaitable<transport_result<std::unique_ptr<http_connection>>> open(
      boost::asio::any_io_executor ex, endpoint where, boost::asio::ssl::context& tls, connection_settings settings);
  ~http_connection();

  // Writes req and reads the whole response; the connection can be reused if the result is keep_alive.
  boost::asio::awaitable<transport_result<raw_response>> exchange(http::request<http::string_body> req);

  // True once this connection has completed an exchange (a failure on it may be a server-side idle close).
  bool reused() const { return exchanges_ > 0; }

 private:
  http_connection(connection_settings settings, std::unique_ptr<beast::tcp_stream> plain,
                  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls);
  template <class Stream>
  boost::asio::awaitable<transport_result<raw_response>> exchange_on(Stream& stream,
                                                                     http::request<http::string_body>& req);

  connection_settings settings_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  int exchanges_ = 0;
};

}  // namespace scanner
