// tests/scanner/test_pki.hpp — certificates made at test time with OpenSSL: a CA, server certificates for a
// chosen name, client certificates for assertions (test helper, no tests here).
#pragma once

#include <string>

namespace test_pki {

// A certificate and its private key, both PEM.
struct pem_pair {
  std::string cert;
  std::string key;
};

// A self-signed CA certificate with common name cn.
pem_pair make_ca(const std::string& cn);

// A server certificate signed by ca for subject_alt_name, e.g. "IP:127.0.0.1" or "DNS:other.example".
pem_pair make_server_cert(const pem_pair& ca, const std::string& subject_alt_name);

// A self-signed certificate for a client assertion (RSA 2048).
pem_pair make_client_cert(const std::string& cn);

// key (PEM) re-encoded as an encrypted PKCS#8 PEM protected by password.
std::string encrypt_key(const std::string& key_pem, const std::string& password);

// The DER encoding of a PEM certificate.
std::string cert_der(const std::string& cert_pem);

// Verifies a JWT's signature (RS256 or PS256 with salt = digest length) with the certificate's public key.
bool verify_jwt_signature(const std::string& jwt, const std::string& cert_pem, bool pss);

}  // namespace test_pki
