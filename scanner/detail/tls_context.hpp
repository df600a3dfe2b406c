// scanner/detail/tls_context.hpp — the one TLS client context: peer verification always on, system store + --ca-file.
#pragma once

#include "base/error.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace scanner {

// A TLS 1.2+ client context that verifies peers against the system trust store plus ca_file (PEM); there is
// deliberately no way to turn verification off. A bad ca_file is a usage error.
base::result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const std::optional<std::string>& ca_file);

// The reason OpenSSL gave for the last failed certificate check on a handshake, in words, with the fix.
std::string describe_verify_failure(long verify_result, const std::string& host);

}  // namespace scanner
