#include "graphsim/detail/jwt_verify.hpp"

#include "graphsim/detail/text.hpp"
#include "graphsim/detail/tls_cert.hpp"

#include <boost/url/parse.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace graphsim {

struct cert_registry::entry {
  std::string x5t_sha1;
  std::string x5t_s256;
  EVP_PKEY* key = nullptr;
  ~entry() { EVP_PKEY_free(key); }
};

namespace {

constexpr std::string_view federated_audience = "api://AzureADTokenExchange";

assertion_failure malformed() { return {50027, "JWT token is invalid or malformed."}; }

std::string json_string(rapidjson::Value const& obj, char const* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<std::int64_t> json_time(rapidjson::Value const& obj, char const* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsNumber()) return std::nullopt;
  return static_cast<std::int64_t>(it->value.GetDouble());
}

bool verify_signature(EVP_PKEY* key, std::string_view alg, std::string_view signed_part, std::string_view sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, key) == 1;
  if (ok && alg == "PS256") {
    // RFC 7518 §3.5 fixes the salt at the digest length; AUTO also accepts it (and signers that use max).
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
  }
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<unsigned char const*>(sig.data()), sig.size(),
                              reinterpret_cast<unsigned char const*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// The base64url SHA-256 of the certificate x5c's first entry holds (standard base64 DER, RFC 7515 §4.1.6); empty
// when it is not that.
std::string leaf_thumbprint(rapidjson::Value const& x5c) {
  if (!x5c.IsArray() || x5c.Empty() || !x5c[0].IsString()) return {};
  std::string_view const b64(x5c[0].GetString(), x5c[0].GetStringLength());
  if (b64.empty() || b64.size() % 4 != 0 || b64.size() > 64 * 1024) return {};
  std::string der(b64.size() / 4 * 3, '\0');
  int const n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(der.data()),
                                reinterpret_cast<unsigned char const*>(b64.data()), static_cast<int>(b64.size()));
  if (n <= 0) return {};
  std::size_t padding = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++padding;
  der.resize(static_cast<std::size_t>(n) - padding);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), digest, &len, EVP_sha256(), nullptr);
  return base64url_encode({reinterpret_cast<char const*>(digest), len});
}

bool audience_matches(std::string_view aud, assertion_expectation const& expect) {
  auto url = boost::urls::parse_uri(aud);
  if (!url) return false;
  // Any host: clients address the emulator as 127.0.0.1, localhost or through --authority-host.
  auto const segs = url->segments();
  std::vector<std::string> parts;
  for (auto s : segs) parts.push_back(std::string(s));
  if (parts.size() != 4 || !iequals(parts[1], "oauth2") || !iequals(parts[2], "v2.0") || !iequals(parts[3], "token"))
    return false;
  for (auto const& t : expect.tenant_keys)
    if (iequals(parts[0], t)) return true;
  return false;
}

}  // namespace

cert_registry::cert_registry() = default;
cert_registry::~cert_registry() = default;
cert_registry::cert_registry(cert_registry&&) noexcept = default;
cert_registry& cert_registry::operator=(cert_registry&&) noexcept = default;

std::size_t cert_registry::size() const { return entries_.size(); }

base::result<void> cert_registry::add_pem_file(std::string const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::usage_error("cannot read --client-cert '" + path + "': check that the file exists");
  std::ostringstream text;
  text << in.rdbuf();
  auto r = add_pem(text.str());
  if (!r) return base::usage_error("cannot use --client-cert '" + path + "': " + r.error().message);
  return {};
}

base::result<void> cert_registry::add_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (!bio) return base::runtime_error("cannot read PEM: " + openssl_error_text());
  std::size_t added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    auto e = std::make_unique<entry>();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    X509_digest(cert, EVP_sha1(), digest, &n);
    e->x5t_sha1 = base64url_encode({reinterpret_cast<char const*>(digest), n});
    X509_digest(cert, EVP_sha256(), digest, &n);
    e->x5t_s256 = base64url_encode({reinterpret_cast<char const*>(digest), n});
    e->key = X509_get_pubkey(cert);
    X509_free(cert);
    if (e->key) {
      entries_.push_back(std::move(e));
      ++added;
    }
  }
  BIO_free(bio);
  openssl_error_text();  // clears the expected "no start line" that ends the loop
  if (added == 0) return base::usage_error("no certificate found in the PEM text");
  return {};
}

cert_registry::entry const* cert_registry::find(std::string_view x5t_s256, std::string_view x5t_sha1) const {
  for (auto const& e : entries_)
    if (!x5t_s256.empty() && e->x5t_s256 == x5t_s256) return e.get();
  for (auto const& e : entries_)
    if (!x5t_sha1.empty() && e->x5t_sha1 == x5t_sha1) return e.get();
  return nullptr;
}

void throw_exception_from_error(assertion_failure const& e, boost::source_location const&) {
  throw std::logic_error("unchecked assertion_failure: " + e.description);
}

boost::system::result<assertion_kind, assertion_failure> verify_client_assertion(std::string_view jwt,
                                                                                 cert_registry const& certs,
                                                                                 assertion_expectation const& expect) {
  auto const dot1 = jwt.find('.');
  auto const dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos) return malformed();
  auto header_text = base64url_decode(jwt.substr(0, dot1));
  auto claims_text = base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(jwt.substr(dot2 + 1));
  if (!header_text || !claims_text || !signature) return malformed();
  rapidjson::Document header;
  rapidjson::Document claims;
  header.Parse(header_text->data(), header_text->size());
  claims.Parse(claims_text->data(), claims_text->size());
  if (header.HasParseError() || !header.IsObject() || claims.HasParseError() || !claims.IsObject()) return malformed();

  std::string const alg = json_string(header, "alg");
  if (alg != "PS256" && alg != "RS256")
    return assertion_failure{5002738, "Invalid JWT token. '" + alg + "' is not a supported signature algorithm."};
  std::string const x5t_s256 = json_string(header, "x5t#S256");
  std::string const x5t = json_string(header, "x5t");
  auto const* cert = certs.find(x5t_s256, x5t);
  if (!cert)
    return assertion_failure{
        700027,
        "The certificate with identifier used to sign the client assertion is not registered on application. "
        "[Reason - The key was not found., Thumbprint of key used by client: '" +
            (x5t_s256.empty() ? x5t : x5t_s256) + "']"};
  if (!verify_signature(cert->key, alg, jwt.substr(0, dot2), *signature))
    return assertion_failure{700027, "Client assertion failed signature validation."};
  // Subject name + issuer authentication: the chain travels in x5c, its first certificate the signing one.
  if (auto const x5c = header.FindMember("x5c"); x5c != header.MemberEnd()) {
    if (leaf_thumbprint(x5c->value) != cert->x5t_s256)
      return assertion_failure{700027,
                               "The first certificate of the x5c header is not the certificate that signed "
                               "the client assertion."};
  } else if (expect.require_x5c) {
    return assertion_failure{700027,
                             "The client assertion carries no x5c header: subject name and issuer "
                             "authentication needs the certificate chain (send_x5c)."};
  }

  std::string const aud = json_string(claims, "aud");
  bool const federated = aud == federated_audience;
  if (!federated && !audience_matches(aud, expect))
    return assertion_failure{700023, "Client assertion audience claim does not match Realm issuer."};
  if (!federated && (json_string(claims, "iss") != expect.client_id || json_string(claims, "sub") != expect.client_id))
    return assertion_failure{700021, "Client assertion application identifier doesn't match 'client_id' parameter."};
  auto const exp = json_time(claims, "exp");
  auto const nbf = json_time(claims, "nbf");
  auto const iat = json_time(claims, "iat");
  bool const in_time = exp && *exp > expect.now && (!nbf || *nbf <= expect.now + expect.skew_s) &&
                       (!iat || *iat <= expect.now + expect.skew_s);
  if (!in_time) return assertion_failure{700024, "Client assertion is not within its valid time range."};
  return federated ? assertion_kind::federated : assertion_kind::client_certificate;
}

}  // namespace graphsim
