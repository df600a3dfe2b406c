#include "fake_graph.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <fmt/core.h>

#include <thread>

namespace test_fake {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

std::string token_body(const std::string& token, int expires_in) {
  return fmt::format(R"({{"token_type":"Bearer","expires_in":{},"ext_expires_in":{},"access_token":"{}"}})", expires_in,
                     expires_in, token);
}

struct server::impl {
  handler handle;
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<ssl::context> tls;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<request> seen;
  std::atomic<int> accepted{0};

  template <class Stream>
  net::awaitable<void> serve(Stream& stream, tcp::socket& raw, int id) {
    beast::flat_buffer buffer;
    for (;;) {
      // Limits well above Beast's defaults (8 KiB of header): the tests send 64 KB bearer tokens on purpose.
      http::request_parser<http::string_body> parser;
      parser.header_limit(1u << 20);
      parser.body_limit(64u << 20);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
      if (ec) co_return;
      auto req = parser.release();
      request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.body = req.body();
      r.connection = id;
      for (auto const& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      {
        std::lock_guard lock(mutex);
        seen.push_back(r);
      }
      reply const out = handle(r);
      if (out.act == reply::action::stall) {
        // Holds the connection without a byte until the client gives up (or the server stops).
        net::steady_timer never(co_await net::this_coro::executor, std::chrono::minutes(10));
        co_await never.async_wait(use_tuple);
        co_return;
      }
      if (out.act == reply::action::endless) {
        // A body that trickles in and never ends: only a bound on the whole read stops the client.
        std::string const head = fmt::format(
            "HTTP/1.1 {} OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n",
            out.status, out.body.size(), out.body);
        if (auto [wec, wn] = co_await net::async_write(stream, net::buffer(head), use_tuple); wec) co_return;
        net::steady_timer tick(co_await net::this_coro::executor);
        for (int n = 0; n < 6000; ++n) {
          tick.expires_after(std::chrono::milliseconds(100));
          if (auto [tec] = co_await tick.async_wait(use_tuple); tec) co_return;
          if (auto [wec, wn] =
                  co_await net::async_write(stream, net::buffer(std::string_view("1\r\n \r\n")), use_tuple);
              wec)
            co_return;
        }
        co_return;
      }
      if (out.act == reply::action::reset) {
        raw.set_option(net::socket_base::linger(true, 0));
        raw.close();
        co_return;
      }
      if (out.act == reply::action::truncate) {
        std::string const head =
            fmt::format("HTTP/1.1 {} OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", out.status,
                        out.body.size() + 100);
        co_await net::async_write(stream, net::buffer(head + out.body), use_tuple);
        raw.set_option(net::socket_base::linger(true, 0));
        raw.close();
        co_return;
      }
      http::response<http::string_body> res{static_cast<http::status>(out.status), 11};
      res.set(http::field::content_type, "application/json");
      for (auto const& [k, v] : out.headers) res.set(k, v);
      res.body() = out.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      if (auto [wec, wn] = co_await http::async_write(stream, res, use_tuple); wec) co_return;
      if (out.act == reply::action::close_after || !req.keep_alive()) {
        raw.close();
        co_return;
      }
    }
  }

  net::awaitable<void> session(tcp::socket socket, int id) {
    if (!tls) {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream, stream.socket(), id);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls);
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple); ec) co_return;
    co_await serve(stream, beast::get_lowest_layer(stream).socket(), id);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      int const id = ++accepted;
      net::co_spawn(io, session(std::move(socket), id), net::detached);
    }
  }
};

server::server(handler h, std::optional<test_pki::pem_pair> tls) : impl_(std::make_unique<impl>()) {
  impl_->handle = std::move(h);
  if (tls) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain(net::buffer(tls->cert));
    impl_->tls->use_private_key(net::buffer(tls->key), ssl::context::pem);
  }
  tcp::endpoint const ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(net::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

server::~server() {
  impl_->io.stop();
  impl_->thread.join();
}

unsigned short server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string server::url() const { return fmt::format("{}://127.0.0.1:{}", impl_->tls ? "https" : "http", port()); }

std::vector<request> server::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

int server::connections() const { return impl_->accepted; }

struct connect_proxy::impl {
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::atomic<int> count{0};
  mutable std::mutex mutex;
  std::vector<std::string> seen;
  unsigned short forward_port = 0;

  static net::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
    std::array<char, 16384> data{};
    for (;;) {
      auto [ec, n] = co_await from.async_read_some(net::buffer(data), use_tuple);
      if (ec) break;
      if (auto [wec, wn] = co_await net::async_write(to, net::buffer(data.data(), n), use_tuple); wec) break;
    }
    boost::system::error_code ignored;
    to.shutdown(tcp::socket::shutdown_send, ignored);
  }

  net::awaitable<void> session(tcp::socket client) {
    beast::flat_buffer buffer;
    http::request<http::empty_body> req;
    if (auto [ec, n] = co_await http::async_read(client, buffer, req, use_tuple); ec) co_return;
    if (req.method() != http::verb::connect) co_return;
    std::string const target(req.target());
    {
      std::lock_guard lock(mutex);
      seen.push_back(target);
    }
    auto upstream = std::make_shared<tcp::socket>(io);
    auto [rec] =
        co_await upstream->async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), forward_port), use_tuple);
    if (rec) {
      std::string const no = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
      co_await net::async_write(client, net::buffer(no), use_tuple);
      co_return;
    }
    ++count;
    std::string const ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    co_await net::async_write(client, net::buffer(ok), use_tuple);
    auto down = std::make_shared<tcp::socket>(std::move(client));
    net::co_spawn(
        io, [down, upstream]() -> net::awaitable<void> { co_await pump(*upstream, *down); }, net::detached);
    co_await pump(*down, *upstream);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      net::co_spawn(io, session(std::move(socket)), net::detached);
    }
  }
};

connect_proxy::connect_proxy(unsigned short forward_port) : impl_(std::make_unique<impl>()) {
  impl_->forward_port = forward_port;
  tcp::endpoint const ep(net::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

connect_proxy::~connect_proxy() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string connect_proxy::url() const {
  return fmt::format("http://127.0.0.1:{}", impl_->acceptor.local_endpoint().port());
}

int connect_proxy::tunnels() const { return impl_->count; }

std::vector<std::string> connect_proxy::targets() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

}  // namespace test_fake
