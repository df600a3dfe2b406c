#include "scanner/detail/http_connection.hpp"

#include "scanner/detail/encoding.hpp"
#include "scanner/detail/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

namespace scanner {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

void throw_exception_from_error(transport_error const& e, boost::source_location const&) {
  throw base::error_exception(base::runtime_error(e.message));
}

namespace {

// The proxy's address and, if its URL had user:password@, the Basic credentials (never logged).
struct proxy_route {
  endpoint where;
  std::string basic_auth;
};

std::optional<proxy_route> proxy_for(const connection_settings& settings, const endpoint& target) {
  if (!settings.https_proxy || bypasses_proxy(target.host, settings.no_proxy)) return std::nullopt;
  std::string url = *settings.https_proxy;
  proxy_route route;
  auto const scheme_end = url.find("://");
  auto const at = url.find('@', scheme_end == std::string::npos ? 0 : scheme_end + 3);
  if (at != std::string::npos && scheme_end != std::string::npos) {
    route.basic_auth = base64_encode(url.substr(scheme_end + 3, at - scheme_end - 3));
    url.erase(scheme_end + 3, at - scheme_end - 2);
  }
  auto split = split_absolute_url(url);
  if (!split) return std::nullopt;  // resolve_settings validated it; unreachable in practice
  route.where = split->where;
  return route;
}

bool is_reset(const boost::system::error_code& ec) {
  return ec == net::error::connection_reset || ec == net::error::broken_pipe || ec == net::error::eof ||
         ec == http::error::end_of_stream || ec == ssl::error::stream_truncated || ec == net::error::connection_aborted;
}

transport_error step_failed(std::string_view step, const std::string& where, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) return {fmt::format("{} {} timed out", step, where), true, false};
  return {fmt::format("{} {} failed: {}", step, where, ec.message()), true, false};
}

// Opens a tunnel with CONNECT host:port through an HTTP proxy on an already connected stream.
net::awaitable<transport_result<void>> connect_tunnel(beast::tcp_stream& stream, const proxy_route& proxy,
                                                      const endpoint& target, std::chrono::milliseconds timeout) {
  http::request<http::empty_body> req{http::verb::connect, target.authority(), 11};
  req.set(http::field::host, target.authority());
  if (!proxy.basic_auth.empty()) req.set(http::field::proxy_authorization, "Basic " + proxy.basic_auth);
  stream.expires_after(timeout);
  if (auto [ec, n] = co_await http::async_write(stream, req, use_tuple); ec)
    co_return step_failed("CONNECT through proxy", proxy.where.origin(), ec);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a 200 answer to CONNECT has no body: the tunnel starts right after the header
  stream.expires_after(timeout);
  if (auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple); ec)
    co_return step_failed("CONNECT through proxy", proxy.where.origin(), ec);
  auto const status = parser.get().result_int();
  if (status / 100 != 2)
    co_return transport_error{fmt::format("proxy {} refused CONNECT to {}: {} {}{}", proxy.where.origin(),
                                          target.authority(), status, std::string(parser.get().reason()),
                                          status == 407 ? " (check the user:password in HTTPS_PROXY)" : ""),
                              false, false};
  co_return transport_result<void>{};
}

}  // namespace

http_connection::http_connection(connection_settings settings, std::unique_ptr<beast::tcp_stream> plain,
                                 std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls)
    : settings_(std::move(settings)), plain_(std::move(plain)), tls_(std::move(tls)) {}

http_connection::~http_connection() = default;

net::awaitable<transport_result<std::unique_ptr<http_connection>>> http_connection::open(net::any_io_executor ex,
                                                                                         endpoint where,
                                                                                         ssl::context& tls_ctx,
                                                                                         connection_settings settings) {
  auto const proxy = proxy_for(settings, where);
  endpoint const& first_hop = proxy ? proxy->where : where;
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(first_hop.host, first_hop.port, use_tuple);
  if (rec) co_return transport_error{fmt::format("cannot resolve {}: {}", first_hop.host, rec.message()), true, false};
  auto stream = std::make_unique<beast::tcp_stream>(ex);
  stream->expires_after(std::min(settings.timeout, settings.connect_timeout.value_or(settings.timeout)));
  if (auto [ec, ep] = co_await stream->async_connect(results, use_tuple); ec)
    co_return step_failed("connecting to", first_hop.origin(), ec);
  stream->socket().set_option(tcp::no_delay(true));
  if (proxy) {
    auto tunnel = co_await connect_tunnel(*stream, *proxy, where, settings.timeout);
    if (!tunnel) co_return tunnel.error();
  }
  if (!where.tls)
    co_return std::unique_ptr<http_connection>(new http_connection(std::move(settings), std::move(stream), nullptr));

  auto tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(*stream), tls_ctx);
  SSL* native = tls->native_handle();
  // SNI must not carry an IP literal (RFC 6066 §3); OpenSSL's own host check gives precise failure reasons.
  if (is_ip_literal(where.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), where.host.c_str());
  } else {
    if (!SSL_set_tlsext_host_name(native, where.host.c_str()))
      co_return transport_error{fmt::format("cannot set the TLS server name {}", where.host), false, false};
    SSL_set1_host(native, where.host.c_str());
  }
  tls->set_verify_callback(ssl::host_name_verification(where.host));
  beast::get_lowest_layer(*tls).expires_after(settings.timeout);
  if (auto [ec] = co_await tls->async_handshake(ssl::stream_base::client, use_tuple); ec) {
    long const verify = SSL_get_verify_result(native);
    if (verify != X509_V_OK)
      co_return transport_error{
          fmt::format("TLS handshake with {} failed: {}", where.origin(), describe_verify_failure(verify, where.host)),
          false, false};
    if (ec.category() == net::error::get_ssl_category() &&
        ERR_GET_REASON(ec.value()) == SSL_R_CERTIFICATE_VERIFY_FAILED)
      co_return transport_error{fmt::format("TLS handshake with {} failed: the server's certificate is not valid for "
                                            "{} ({})",
                                            where.origin(), where.host, ec.message()),
                                false, false};
    co_return step_failed("TLS handshake with", where.origin(), ec);
  }
  co_return std::unique_ptr<http_connection>(new http_connection(std::move(settings), nullptr, std::move(tls)));
}

net::awaitable<transport_result<raw_response>> http_connection::exchange(http::request<http::string_body> req) {
  if (tls_) co_return co_await exchange_on(*tls_, req);
  co_return co_await exchange_on(*plain_, req);
}

template <class Stream>
net::awaitable<transport_result<raw_response>> http_connection::exchange_on(Stream& stream,
                                                                            http::request<http::string_body>& req) {
  bool const was_reused = reused();
  std::string const what = fmt::format("{} {}", std::string(req.method_string()), std::string(req[http::field::host]));
  req.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(settings_.timeout);
  if (auto [ec, n] = co_await http::async_write(stream, req, use_tuple); ec) {
    auto e = step_failed("sending", what, ec);
    e.stale = was_reused && ec != beast::error::timeout;
    co_return e;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(settings_.body_limit);
  parser.header_limit(64 * 1024);
  beast::get_lowest_layer(stream).expires_after(settings_.timeout);
  auto [ec, n] = co_await http::async_read(stream, buffer_, parser, use_tuple);
  if (ec) {
    if (ec == http::error::body_limit)
      co_return transport_error{fmt::format("response to {} is larger than {} MiB", what, settings_.body_limit >> 20),
                                false, false};
    transport_error e;
    if (ec == beast::error::timeout) e = step_failed("waiting for the response to", what, ec);
    else if (parser.is_header_done())
      e = {fmt::format("response to {} was cut short ({})", what, ec.message()), true, false};
    else if (is_reset(ec))
      e = {fmt::format("connection dropped before the response to {} ({})", what, ec.message()), true, false};
    else e = step_failed("reading the response to", what, ec);
    // A keep-alive connection the server closed while idle fails before the first response byte.
    e.stale = was_reused && !parser.got_some() && is_reset(ec);
    co_return e;
  }
  ++exchanges_;
  auto& msg = parser.get();
  raw_response out;
  out.status = msg.result_int();
  out.keep_alive = msg.keep_alive();
  for (auto const& field : msg) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(msg.body());
  co_return out;
}

}  // namespace scanner
