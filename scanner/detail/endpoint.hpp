// scanner/detail/endpoint.hpp — splitting absolute URLs into origin + target, loopback and NO_PROXY rules (pure).
#pragma once

#include "base/error.hpp"

#include <string>
#include <string_view>

namespace scanner {

// Where a connection goes: scheme, host (IPv6 without brackets) and port.
struct endpoint {
  bool tls = true;
  std::string host;
  std::string port;
  // "https://host:port" with the default port left out and IPv6 hosts bracketed.
  std::string origin() const;
  // "host:port" for a CONNECT request or a Host header (IPv6 bracketed).
  std::string authority() const;
  friend bool operator==(const endpoint&, const endpoint&) = default;
};

// An absolute URL cut into where it goes and the request target (path + query, kept byte for byte).
struct split_url {
  endpoint where;
  std::string target;
};

// Splits an http:// or https:// URL without re-encoding it (an @odata.nextLink is sent exactly as given).
base::result<split_url> split_absolute_url(std::string_view url);

// True for 127.0.0.0/8, ::1 and localhost (the only hosts plain http:// may be used with).
bool is_loopback_host(std::string_view host);

// True if host is an IPv4 or IPv6 literal (no SNI is sent for those).
bool is_ip_literal(std::string_view host);

// True if a request to host must not go through the proxy: loopback hosts always, and hosts matched by a
// NO_PROXY list ("*", exact names, ".suffix" or "suffix" for a domain and its subdomains; ports ignored).
bool bypasses_proxy(std::string_view host, std::string_view no_proxy);

}  // namespace scanner
