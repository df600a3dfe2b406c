// scanner/detail/client_certificate.hpp — the app's certificate, its chain and RSA private key from one PEM or
// PKCS#12 / PFX file, and the signed JWT client assertion built from them (docs/graph.md §10.2).
#pragma once

#include "base/error.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace scanner {

// A loaded certificate + private key (OpenSSL objects kept behind the pointer).
class client_certificate {
 public:
  // Reads path: PEM (the certificate, its private key optionally encrypted with password, then any chain
  // certificates) or PKCS#12 / PFX (optionally protected by password). Errors name the file and say which part is
  // missing or that the password is wrong or missing (usage errors, exit 2).
  static base::result<client_certificate> load(const std::string& path, const std::optional<std::string>& password);
  client_certificate(client_certificate&&) noexcept;
  client_certificate& operator=(client_certificate&&) noexcept;
  ~client_certificate();

  // base64url SHA-1 of the certificate's DER encoding (the JWT header's "x5t").
  std::string x5t() const;
  // base64url SHA-256 of the certificate's DER encoding (the JWT header's "x5t#S256").
  std::string x5t_s256() const;

  // A client assertion for client_id at audience (the token endpoint URL), valid from now for 10 minutes:
  // PS256 (RSA-PSS, SHA-256, salt = digest length) with x5t#S256, or RS256 with x5t when rs256 is set; with
  // send_chain its header also carries x5c, the certificate and its chain (subject name + issuer authentication).
  base::result<std::string> make_assertion(const std::string& client_id, const std::string& audience, bool rs256,
                                           std::chrono::system_clock::time_point now, bool send_chain = false) const;

  // Certificates in x5c: the app's own, then the chain the file holds.
  std::size_t chain_length() const;

 private:
  struct impl;
  explicit client_certificate(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace scanner
