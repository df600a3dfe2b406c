// tests/scanner/fake_graph.hpp — a tiny scripted HTTP(S) server on 127.0.0.1 for transport tests: each request
// is answered by a handler that can also drop or truncate (test helper, no tests here).
#pragma once

#include "test_pki.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_fake {

// A request as the server saw it (header names lower-case).
struct request {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
  int connection = 0;  // which accepted connection carried it (1-based)
};

// What to do with a request.
struct reply {
  // close_after: answer as keep-alive, then hang up; stall: never answer (the connection stays open, idle);
  // endless: the status line, the headers and body, then more body forever, a byte every 100 ms (chunked)
  enum class action { respond, reset, truncate, close_after, stall, endless };
  using header_list = std::vector<std::pair<std::string, std::string>>;
  reply(unsigned s = 200, std::string b = "{}", header_list h = {}, action a = action::respond)
      : status(s), body(std::move(b)), headers(std::move(h)), act(a) {}
  unsigned status;
  std::string body;
  header_list headers;
  action act;
};

class server {
 public:
  using handler = std::function<reply(const request&)>;
  // Starts listening on 127.0.0.1 (any port); with tls, serves that certificate + key.
  explicit server(handler h, std::optional<test_pki::pem_pair> tls = std::nullopt);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // http(s)://127.0.0.1:PORT
  std::string url() const;
  unsigned short port() const;
  // Every request received so far.
  std::vector<request> requests() const;
  // Connections accepted so far.
  int connections() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

// A body for a token endpoint success.
std::string token_body(const std::string& token, int expires_in = 3599);

// An HTTP CONNECT proxy on 127.0.0.1 that tunnels every CONNECT, whatever its target, to 127.0.0.1:forward_port
// (so tests can use a non-loopback host name that nobody resolves but the proxy).
class connect_proxy {
 public:
  explicit connect_proxy(unsigned short forward_port);
  ~connect_proxy();
  std::string url() const;  // http://127.0.0.1:PORT
  int tunnels() const;
  std::vector<std::string> targets() const;  // CONNECT authority of each tunnel

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace test_fake
