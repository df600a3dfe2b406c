#include "scanner/detail/endpoint.hpp"

#include <boost/asio/ip/address.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace scanner {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string endpoint::authority() const {
  std::string const h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + port;
}

std::string endpoint::origin() const {
  std::string const h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool const default_port = (tls && port == "443") || (!tls && port == "80");
  return fmt::format("{}://{}{}", tls ? "https" : "http", h, default_port ? "" : ":" + port);
}

base::result<split_url> split_absolute_url(std::string_view url) {
  auto const bad = [&](std::string_view why) {
    return base::runtime_error(fmt::format("invalid URL '{}': {}", url.substr(0, 200), why));
  };
  split_url out;
  auto const scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return bad("expected http:// or https://");
  auto const scheme = lower(url.substr(0, scheme_end));
  if (scheme == "https") out.where.tls = true;
  else if (scheme == "http") out.where.tls = false;
  else return bad("expected http:// or https://");
  auto rest = url.substr(scheme_end + 3);
  auto const authority_end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, authority_end);
  out.target = authority_end == std::string_view::npos ? "/" : std::string(rest.substr(authority_end));
  if (auto const hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
  if (out.target.empty() || out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return bad("user information is not allowed in the URL");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto const close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    out.where.host = lower(authority.substr(1, close - 1));
    auto const after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("garbage after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    auto const colon = authority.rfind(':');
    out.where.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.where.host.empty()) return bad("no host");
  if (port.empty()) port = out.where.tls ? "443" : "80";
  if (!all_digits(port) || port.size() > 5) return bad("invalid port");
  out.where.port = std::string(port);
  for (char c : out.target)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("spaces or control characters in the path");
  return out;
}

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

bool is_loopback_host(std::string_view host) {
  auto const h = lower(host);
  if (h == "localhost" || h == "localhost.") return true;
  boost::system::error_code ec;
  auto const address = boost::asio::ip::make_address(h, ec);
  return !ec && address.is_loopback();
}

bool bypasses_proxy(std::string_view host, std::string_view no_proxy) {
  if (is_loopback_host(host)) return true;
  auto const h = lower(host);
  while (!no_proxy.empty()) {
    auto const comma = no_proxy.find(',');
    auto entry = trim(no_proxy.substr(0, comma));
    no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") return true;
    // An entry may carry a port ("example.com:443"); ports are not distinguished.
    if (entry.front() != '[' && std::count(entry.begin(), entry.end(), ':') == 1)
      entry = entry.substr(0, entry.find(':'));
    if (entry.front() == '[') entry = entry.substr(1, entry.find(']') - 1);
    auto e = lower(entry);
    if (e.front() == '.') e.erase(0, 1);
    if (h == e) return true;
    if (h.size() > e.size() && h.ends_with(e) && h[h.size() - e.size() - 1] == '.') return true;
  }
  return false;
}

}  // namespace scanner
