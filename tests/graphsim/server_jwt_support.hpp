// tests/graphsim/server_jwt_support.hpp — a certificate and client assertions made at test time with
// OpenSSL (RSA 2048, self-signed; nothing is committed), for the token endpoint's tests.
#pragma once

#include <memory>
#include <string>

namespace server_test {

class test_certificate {
 public:
  test_certificate();  // generates the key and the certificate
  ~test_certificate();
  test_certificate(test_certificate const&) = delete;
  test_certificate& operator=(test_certificate const&) = delete;

  std::string const& cert_pem() const;
  // A JWT over claims_json signed with this key: "PS256" (header x5t#S256) or "RS256" (header x5t).
  std::string sign(std::string const& alg, std::string const& claims_json) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Claims of a client assertion: aud, iss = sub = client_id, a jti, nbf/iat = now + nbf_offset, exp = now + exp_offset.
std::string assertion_claims(std::string const& aud, std::string const& client_id, long nbf_offset = 0,
                             long exp_offset = 600);

}  // namespace server_test
