#include "scanner/detail/tls_context.hpp"

#include <fmt/core.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace scanner {

namespace ssl = boost::asio::ssl;

base::result<std::unique_ptr<ssl::context>> make_tls_context(const std::optional<std::string>& ca_file) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (ec) return base::runtime_error(fmt::format("cannot set up TLS: {}", ec.message()));
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return base::runtime_error(fmt::format("cannot set up TLS: {}", ec.message()));
  // The system store is what real Graph is checked against; a missing store is not fatal when --ca-file is given.
  ctx->set_default_verify_paths(ec);
  if (ec && !ca_file) return base::runtime_error(fmt::format("cannot load the system trust store: {}", ec.message()));
  if (ca_file) {
    ctx->load_verify_file(*ca_file, ec);
    if (ec)
      return base::usage_error(
          fmt::format("cannot load --ca-file '{}': {} (expected PEM certificates)", *ca_file, ec.message()));
  }
  return ctx;
}

std::string describe_verify_failure(long verify_result, const std::string& host) {
  std::string const reason = X509_verify_cert_error_string(verify_result);
  switch (verify_result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return fmt::format("the server's certificate is not valid for {} ({})", host, reason);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return fmt::format("the server's certificate is not signed by a trusted CA ({}); add the CA with --ca-file",
                         reason);
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return fmt::format("the server's certificate is outside its validity period ({})", reason);
    default:
      return fmt::format("the server's certificate was refused ({})", reason);
  }
}

}  // namespace scanner
