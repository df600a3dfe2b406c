#include "server_client_support.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <stdexcept>

namespace server_test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr auto deadline = std::chrono::seconds(30);

}  // namespace

std::string reply::header(std::string const& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string{} : it->second;
}

struct client::impl {
  std::string host;
  std::string port;
  bool tls = false;
  net::io_context ioc;
  std::optional<ssl::context> ctx;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  bool connected() const { return plain.has_value() || secure.has_value(); }

  net::awaitable<boost::system::error_code> connect() {
    tcp::resolver resolver(ioc);
    auto [ec, results] = co_await resolver.async_resolve(host, port, use_tuple);
    if (ec) co_return ec;
    beast::tcp_stream stream(ioc);
    stream.expires_after(deadline);
    auto [cec, ep] = co_await stream.async_connect(results, use_tuple);
    if (cec) co_return cec;
    buffer.clear();
    if (!tls) {
      plain.emplace(std::move(stream));
      co_return boost::system::error_code{};
    }
    secure.emplace(std::move(stream), *ctx);
    secure->set_verify_callback(ssl::host_name_verification(host));
    auto [hec] = co_await secure->async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) secure.reset();
    co_return hec;
  }

  template <class Stream>
  net::awaitable<reply> exchange(Stream& stream, http::request<http::string_body>& req) {
    reply out;
    beast::get_lowest_layer(stream).expires_after(deadline);
    auto [wec, w] = co_await http::async_write(stream, req, use_tuple);
    if (wec) {
      out.error = wec;
      co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    auto [rec, r] = co_await http::async_read(stream, buffer, parser, use_tuple);
    out.error = rec;
    if (parser.is_header_done()) {
      out.status = parser.get().result_int();
      for (auto const& f : parser.get()) {
        std::string name(f.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
      }
      out.body = parser.get().body();
    }
    if (!rec && !parser.get().keep_alive()) out.error = http::error::end_of_stream;  // forces a reconnect
    co_return out;
  }

  net::awaitable<reply> send(http::request<http::string_body> req) {
    if (!connected()) {
      if (auto ec = co_await connect(); ec) {
        reply out;
        out.error = ec;
        co_return out;
      }
    }
    // Not a ?: of two co_awaits: g++ 12 destroys the temporaries of such expressions twice.
    reply out;
    if (tls) out = co_await exchange(*secure, req);
    else out = co_await exchange(*plain, req);
    if (out.error) drop();
    co_return out;
  }

  void drop() {
    beast::error_code ignored;
    if (plain) plain->socket().close(ignored);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ignored);
    plain.reset();
    secure.reset();
  }
};

client::client(std::string url, std::string ca_pem_path) : impl_(std::make_unique<impl>()) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("bad url " + url);
  impl_->host = std::string(parsed->host());
  impl_->port = std::string(parsed->port());
  impl_->tls = parsed->scheme() == "https";
  if (impl_->tls) {
    impl_->ctx.emplace(ssl::context::tls_client);
    impl_->ctx->set_verify_mode(ssl::verify_peer);
    impl_->ctx->load_verify_file(ca_pem_path);
  }
}

client::~client() { impl_->drop(); }

reply client::send(std::string const& method, std::string const& target, header_list const& headers,
                   std::string const& body) {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->host + ":" + impl_->port);
  for (auto const& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  req.keep_alive(true);
  std::optional<reply> result;
  net::co_spawn(impl_->ioc, impl_->send(std::move(req)), [&](std::exception_ptr e, reply r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
  });
  impl_->ioc.restart();
  impl_->ioc.run();
  return result ? *result : reply{};
}

reply client::get(std::string const& target, std::string const& token, header_list headers) {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return send("GET", target, headers);
}

void client::close() { impl_->drop(); }

void client::send_raw_and_drop(std::string const& bytes) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(
      tcp::endpoint(net::ip::make_address(impl_->host), static_cast<unsigned short>(std::stoi(impl_->port))));
  net::write(socket, net::buffer(bytes));
  socket.close();
}

std::string form(header_list const& fields) {
  std::string out;
  for (auto const& [name, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += boost::urls::encode(name, boost::urls::unreserved_chars);
    out.push_back('=');
    out += boost::urls::encode(value, boost::urls::unreserved_chars);
  }
  return out;
}

std::string token_for(client& c, graphsim::background_server const& server) {
  auto r = c.send("POST", "/" + server.tenant_id() + "/oauth2/v2.0/token",
                  {{"Content-Type", "application/x-www-form-urlencoded"}},
                  form({{"grant_type", "client_credentials"},
                        {"client_id", server.client_id()},
                        {"client_secret", server.client_secret()},
                        {"scope", "https://graph.microsoft.com/.default"}}));
  if (r.status != 200) return {};
  auto doc = json(r.body);
  if (doc.HasParseError() || !doc.HasMember("access_token")) return {};
  return doc["access_token"].GetString();
}

graphsim::sim_options small_tenant(std::uint64_t users) {
  graphsim::sim_options o;
  o.users = users;
  o.seed = 7;
  return o;
}

std::unique_ptr<graphsim::background_server> start(graphsim::sim_options options) {
  options.port = 0;
  auto s = graphsim::background_server::start(options);
  REQUIRE_MESSAGE(s.has_value(), (s ? std::string{} : s.error().message));
  return std::move(*s);
}

rapidjson::Document json(std::string const& body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  return d;
}

std::string target_of(std::string const& absolute_link) {
  auto parsed = boost::urls::parse_uri(absolute_link);
  if (!parsed) return {};
  return std::string(parsed->encoded_target());
}

listing list_all(client& c, std::string const& token, std::string target, header_list headers, int max_pages) {
  listing out;
  while (!target.empty()) {
    if (out.pages == max_pages) {
      out.stopped = true;
      return out;
    }
    auto r = c.get(target, token, headers);
    if (r.status != 200) {
      out.failed_status = r.status;
      out.failed_code = error_code(r);
      return out;
    }
    auto doc = json(r.body);
    REQUIRE_FALSE(doc.HasParseError());
    ++out.pages;
    if (doc.HasMember("@odata.count")) {
      CHECK(out.pages == 1);  // only the first page carries the count
      out.count = doc["@odata.count"].GetInt64();
    }
    for (auto const& u : doc["value"].GetArray()) {
      out.ids.emplace_back(u["id"].GetString());
      if (u.HasMember("userPrincipalName")) out.upns.emplace_back(u["userPrincipalName"].GetString());
    }
    target = doc.HasMember("@odata.nextLink") ? target_of(doc["@odata.nextLink"].GetString()) : "";
  }
  return out;
}

std::string error_code(reply const& r) {
  auto doc = json(r.body);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) return {};
  return doc["error"]["code"].GetString();
}

std::string error_message(reply const& r) {
  auto doc = json(r.body);
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) return {};
  return doc["error"]["message"].GetString();
}

std::vector<std::vector<std::string>> parse_csv(std::string const& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const ch = text[i];
    any = true;
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field.push_back(ch);
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (ch == '\r') {
      continue;
    } else if (ch == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field.push_back(ch);
    }
  }
  if (any) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace server_test
