// graphsim/detail/tls_cert.hpp — the self-signed server certificate generated at start for --tls.
#pragma once

#include "base/error.hpp"

#include <string>

namespace graphsim {

struct tls_identity {
  std::string cert_pem;  // what clients trust (--cert-out)
  std::string key_pem;   // stays in memory, never written
};

// A fresh P-256 key and a self-signed certificate (CN=localhost, subjectAltName IP:127.0.0.1 and
// DNS:localhost, serverAuth, valid from an hour ago for a year).
base::result<tls_identity> make_self_signed_identity();

// The last OpenSSL error as text, for messages ("cannot ...: <this>").
std::string openssl_error_text();

}  // namespace graphsim
