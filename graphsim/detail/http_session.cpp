#include "graphsim/detail/http_session.hpp"

#include "base/log.hpp"
#include "graphsim/detail/graph_error.hpp"
#include "graphsim/detail/request_handler.hpp"
#include "graphsim/detail/text.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>

#include <cctype>
#include <chrono>
#include <ctime>
#include <exception>
#include <random>
#include <tuple>

namespace graphsim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto idle_timeout = 60s;                  // a keep-alive connection with no request for this long is closed
constexpr auto handshake_timeout = 10s;             // TLS handshake and close_notify
constexpr auto write_timeout = 60s;                 // a 999-user page is about 1 MB: seconds even for a slow reader
constexpr std::size_t max_request_body = 1u << 20;  // $batch of 20 small requests fits many times over
constexpr std::size_t max_request_header = 64u << 10;  // nextLinks with a $filter stay far below this

sim_request to_sim_request(http::request<http::string_body>&& req) {
  sim_request out;
  for (char c : req.method_string())
    out.method.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  out.target = std::string(req.target());
  out.host = std::string(req[http::field::host]);
  for (auto const& field : req) out.headers.emplace_back(to_lower(field.name_string()), std::string(field.value()));
  out.body = std::move(req.body());
  return out;
}

// Now as an HTTP-date (IMF-fixdate), e.g. "Sun, 06 Nov 1994 08:49:37 GMT": Graph's and login's Date header.
std::string http_date_now() {
  std::time_t const now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

http::response<http::string_body> to_http(sim_response&& res, bool keep_alive) {
  http::response<http::string_body> out;
  out.version(11);
  out.result(res.status);
  out.set(http::field::server, "graphsim");
  out.set(http::field::date, http_date_now());
  if (!res.content_type.empty()) out.set(http::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers) out.set(name, value);
  out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

// The status line and headers of res as they go on the wire (for the faults that break the body).
std::string head_text(http::response<http::string_body> const& res) {
  std::string out = "HTTP/1.1 " + std::to_string(res.result_int()) + " " + std::string(res.reason()) + "\r\n";
  for (auto const& field : res) {
    out += field.name_string();
    out += ": ";
    out += field.value();
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

template <class Stream>
tcp::socket& socket_of(Stream& stream) {
  return beast::get_lowest_layer(stream).socket();
}

// reset: the head and a quarter of the body, then a TCP RST; truncate: the head with the full Content-Length
// and half the body, then an orderly close. Either way the client is left with an incomplete response.
template <class Stream>
net::awaitable<void> write_broken(Stream& stream, http::response<http::string_body> res, wire_fault fault) {
  std::string const& body = res.body();
  std::string wire = head_text(res);
  wire.append(body, 0, fault == wire_fault::reset ? body.size() / 4 : body.size() / 2);
  co_await net::async_write(stream, net::buffer(wire), use_tuple);
  beast::error_code ec;
  if (fault == wire_fault::reset) socket_of(stream).set_option(net::socket_base::linger(true, 0), ec);
  else socket_of(stream).shutdown(tcp::socket::shutdown_both, ec);
  socket_of(stream).close(ec);
}

// A Graph error answered by the session itself (no route ran): ids and body as the routes' are.
sim_response session_error(unsigned status, std::string_view code, std::string_view message) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string const request_id = random_guid(rng);
  sim_response res;
  res.status = status;
  res.content_type = "application/json";
  res.body = graph_error_body(code, message, request_id, request_id);
  res.set_header("request-id", request_id);
  res.set_header("client-request-id", request_id);
  res.set_header("x-ms-resource-unit", "0");
  return res;
}

sim_response bad_http_request(beast::error_code ec) {
  bool const too_large = ec == http::error::body_limit || ec == http::error::header_limit;
  return session_error(too_large ? 413 : 400, too_large ? "Request_EntityTooLarge" : "BadRequest",
                       too_large ? "The request is too large." : "The HTTP request could not be parsed.");
}

// Serves requests on one connection until the client closes it, stops sending, or a response ends it.
template <class Stream>
net::awaitable<void> serve_requests(Stream& stream, request_handler& emu) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_request_body);
    parser.header_limit(max_request_header);
    beast::get_lowest_layer(stream).expires_after(idle_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (!ec && parser.get()[http::field::expect] == "100-continue") {
      // curl asks before sending a body over 1 KiB; answering saves it a one-second wait.
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      std::tie(ec, n) = co_await http::async_write(stream, go_on, use_tuple);
    }
    if (!ec && !parser.is_done()) std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (ec) {
      // A request the parser refused gets an answer; a closed, reset or idle connection just ends.
      bool const refused = ec.category() == beast::error_code(http::error::body_limit).category() &&
                           ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (refused) {
        beast::get_lowest_layer(stream).expires_after(write_timeout);
        auto res = to_http(bad_http_request(ec), false);
        co_await http::async_write(stream, res, use_tuple);
      }
      co_return;
    }
    bool const keep_alive = parser.get().keep_alive();
    sim_response res;
    try {
      res = emu.handle(to_sim_request(parser.release()));
    } catch (std::exception const& e) {
      // A bug in a route must cost one request, not the server.
      base::log(base::log_level::error, "graphsim: request failed: {}", e.what());
      res = session_error(500, "generalException", "An unexpected error occurred.");
    }
    if (auto const delay = emu.delay_for(res); delay.count() > 0) {
      net::steady_timer timer(co_await net::this_coro::executor);
      timer.expires_after(delay);
      co_await timer.async_wait(use_tuple);
    }
    beast::get_lowest_layer(stream).expires_after(write_timeout);
    wire_fault const fault = res.fault;
    auto out = to_http(std::move(res), keep_alive);
    if (fault != wire_fault::none) {
      co_await write_broken(stream, std::move(out), fault);
      co_return;
    }
    auto [write_ec, written] = co_await http::async_write(stream, out, use_tuple);
    if (write_ec || !keep_alive) co_return;
  }
}

net::awaitable<void> run_plain(tcp::socket socket, request_handler& emu) {
  beast::tcp_stream stream(std::move(socket));
  co_await serve_requests(stream, emu);
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);  // already closed by a fault or the peer: fine
}

net::awaitable<void> run_tls(tcp::socket socket, ssl::context& ctx, request_handler& emu) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), ctx);
  beast::get_lowest_layer(stream).expires_after(handshake_timeout);
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
  if (ec) co_return;  // scanners probing with plain HTTP, or a client that gave up: nothing to answer
  co_await serve_requests(stream, emu);
  if (!beast::get_lowest_layer(stream).socket().is_open()) co_return;
  beast::get_lowest_layer(stream).expires_after(handshake_timeout);
  // Peers may close without close_notify (beast#38): whatever this returns, the connection is done.
  auto [shutdown_ec] = co_await stream.async_shutdown(use_tuple);
  (void)shutdown_ec;
}

void log_session_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (std::exception const& ex) {
    base::log(base::log_level::warn, "graphsim: connection ended by an exception: {}", ex.what());
  }
}

}  // namespace

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, request_handler& emu, ssl::context* tls) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (!acceptor.is_open() || ec == net::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: back off briefly instead of spinning.
      net::steady_timer timer(acceptor.get_executor());
      timer.expires_after(50ms);
      co_await timer.async_wait(use_tuple);
      continue;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (tls) net::co_spawn(acceptor.get_executor(), run_tls(std::move(socket), *tls, emu), log_session_failure);
    else net::co_spawn(acceptor.get_executor(), run_plain(std::move(socket), emu), log_session_failure);
  }
}

}  // namespace graphsim
