// graphsim/detail/jwt_verify.hpp — verification of client assertions (docs/graph.md §10.2): JWTs signed PS256 (header
// x5t#S256) or RS256 (header x5t) with a certificate registered by --client-cert, checked with OpenSSL.
#pragma once

#include "base/error.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

// The certificates accepted for client assertions, keyed by their SHA-1 and SHA-256 thumbprints.
class cert_registry {
 public:
  cert_registry();
  ~cert_registry();
  cert_registry(cert_registry&&) noexcept;
  cert_registry& operator=(cert_registry&&) noexcept;

  // Registers every certificate of a PEM file (certificate, or certificate + key as Azure's PEM files hold).
  base::result<void> add_pem_file(std::string const& path);
  // Registers every certificate in PEM text.
  base::result<void> add_pem(std::string_view pem);
  std::size_t size() const;

  struct entry;
  // The certificate whose base64url thumbprint matches (SHA-256 first, else SHA-1); null if none.
  entry const* find(std::string_view x5t_s256, std::string_view x5t_sha1) const;

 private:
  std::vector<std::unique_ptr<entry>> entries_;
};

// What the token endpoint expects of an assertion.
struct assertion_expectation {
  std::string client_id;
  std::vector<std::string> tenant_keys;  // tenant id and default domain: aud's path segment
  std::int64_t now = 0;                  // Unix seconds
  std::int64_t skew_s = 60;              // tolerated clock skew for nbf and iat
  bool require_x5c = false;              // the assertion must carry x5c (subject name + issuer apps)
};

// Why an assertion was refused: the AADSTS code and its text (error "invalid_client").
struct assertion_failure {
  unsigned aadsts = 0;
  std::string description;
};

enum class assertion_kind { client_certificate, federated };

// Verifies header, signature and claims; which kind of assertion it was, or the refusal.
boost::system::result<assertion_kind, assertion_failure> verify_client_assertion(std::string_view jwt,
                                                                                 cert_registry const& certs,
                                                                                 assertion_expectation const& expect);

[[noreturn]] void throw_exception_from_error(assertion_failure const& e, boost::source_location const& loc);

}  // namespace graphsim
