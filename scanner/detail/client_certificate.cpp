#include "scanner/detail/client_certificate.hpp"

#include "scanner/detail/encoding.hpp"

#include <fmt/core.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

namespace scanner {
namespace {

struct bio_free {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct x509_free {
  void operator()(X509* x) const noexcept { X509_free(x); }
};
struct pkey_free {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct p12_free {
  void operator()(PKCS12* p) const noexcept { PKCS12_free(p); }
};
struct x509_stack_free {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_pop_free(s, X509_free); }
};
struct md_ctx_free {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};

// Hands the password to OpenSSL's PEM reader; an empty password is a password too.
int password_callback(char* buf, int size, int, void* user) {
  auto const* password = static_cast<const std::string*>(user);
  if (password == nullptr) return -1;  // encrypted key but no password: make PEM_read fail
  auto const n = std::min<std::size_t>(password->size(), static_cast<std::size_t>(size));
  std::memcpy(buf, password->data(), n);
  return static_cast<int>(n);
}

std::string digest_of(const std::string& der, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(der.data(), der.size(), out, &n, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), n);
}

}  // namespace

struct client_certificate::impl {
  std::unique_ptr<X509, x509_free> cert;
  std::unique_ptr<EVP_PKEY, pkey_free> key;
  std::string der;
  std::vector<std::string> chain_der;  // the certificates after the app's own (x5c)
};

namespace {

// What a file yields before it is checked.
struct loaded_parts {
  std::unique_ptr<X509, x509_free> cert;
  std::unique_ptr<EVP_PKEY, pkey_free> key;
  std::vector<std::string> chain_der;
};

std::string der_of(X509* cert) {
  unsigned char* der = nullptr;
  int const n = i2d_X509(cert, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

// A PKCS#12 / PFX file's certificate, key and chain; the password is tried as given, else as none and as empty
// (tools write a password-less file either way).
base::result<void> read_pkcs12(const std::string& bytes, const std::optional<std::string>& password, loaded_parts& out,
                               const std::function<base::error(std::string_view)>& fail) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  std::unique_ptr<PKCS12, p12_free> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) {
    ERR_clear_error();
    return fail("it is neither PEM (no '-----BEGIN CERTIFICATE-----') nor PKCS#12 / PFX");
  }
  char const* pass = nullptr;
  if (password) pass = password->c_str();
  else if (PKCS12_verify_mac(p12.get(), nullptr, 0) == 1) pass = nullptr;
  else if (PKCS12_verify_mac(p12.get(), "", 0) == 1) pass = "";
  else {
    ERR_clear_error();
    return fail(
        "the PKCS#12 / PFX file is protected by a password: set AZURE_CLIENT_CERTIFICATE_PASSWORD or "
        "--certificate-password-file");
  }
  if (password && PKCS12_verify_mac(p12.get(), pass, static_cast<int>(password->size())) != 1) {
    ERR_clear_error();
    return fail("wrong password for the PKCS#12 / PFX file (AZURE_CLIENT_CERTIFICATE_PASSWORD)");
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  if (PKCS12_parse(p12.get(), pass, &key, &cert, &ca) != 1) {
    unsigned long const err = ERR_peek_last_error();
    ERR_clear_error();
    return fail(
        fmt::format("cannot read the PKCS#12 / PFX file ({}; a file of old tools may need `openssl pkcs12 "
                    "-legacy` to convert it)",
                    ERR_reason_error_string(err) ? ERR_reason_error_string(err) : "unknown reason"));
  }
  out.key.reset(key);
  out.cert.reset(cert);
  std::unique_ptr<STACK_OF(X509), x509_stack_free> chain(ca);
  for (int i = 0; chain && i < sk_X509_num(chain.get()); ++i)
    out.chain_der.push_back(der_of(sk_X509_value(chain.get(), i)));
  if (!out.cert) return fail("no certificate in the PKCS#12 / PFX file");
  if (!out.key) return fail("no private key in the PKCS#12 / PFX file");
  return {};
}

// A PEM file's certificate (the first), private key and chain (the certificates after the first).
base::result<void> read_pem(const std::string& pem, const std::optional<std::string>& password, loaded_parts& out,
                            const std::function<base::error(std::string_view)>& fail) {
  {
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    out.cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    while (out.cert) {
      std::unique_ptr<X509, x509_free> next(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
      if (!next) break;
      out.chain_der.push_back(der_of(next.get()));
    }
  }
  ERR_clear_error();
  if (!out.cert) return fail("no PEM certificate in it (expected '-----BEGIN CERTIFICATE-----' and the private key)");
  {
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    out.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback,
                                          const_cast<std::string*>(password ? &*password : nullptr)));
  }
  if (out.key) return {};
  unsigned long const err = ERR_peek_last_error();
  ERR_clear_error();
  bool const encrypted = pem.find("ENCRYPTED") != std::string::npos;
  if (pem.find("PRIVATE KEY-----") == std::string::npos)
    return fail("no private key in it (the PEM must hold the certificate and its private key)");
  if (encrypted && !password)
    return fail("the private key is encrypted: set AZURE_CLIENT_CERTIFICATE_PASSWORD or --certificate-password-file");
  if (encrypted) return fail("wrong password for the private key (AZURE_CLIENT_CERTIFICATE_PASSWORD)");
  return fail(fmt::format("cannot read the private key ({})",
                          ERR_reason_error_string(err) ? ERR_reason_error_string(err) : "unknown reason"));
}

}  // namespace

client_certificate::client_certificate(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
client_certificate::client_certificate(client_certificate&&) noexcept = default;
client_certificate& client_certificate::operator=(client_certificate&&) noexcept = default;
client_certificate::~client_certificate() = default;

base::result<client_certificate> client_certificate::load(const std::string& path,
                                                          const std::optional<std::string>& password) {
  std::function<base::error(std::string_view)> const fail = [&](std::string_view why) {
    return base::usage_error(fmt::format("cannot use certificate file '{}': {}", path, why));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("the file does not exist or is not readable (AZURE_CLIENT_CERTIFICATE_PATH / --certificate)");
  std::ostringstream text;
  text << in.rdbuf();
  std::string const bytes = text.str();

  loaded_parts parts;
  bool const pem = bytes.find("-----BEGIN") != std::string::npos;
  auto read = pem ? read_pem(bytes, password, parts, fail) : read_pkcs12(bytes, password, parts, fail);
  if (!read) return read.error();
  auto p = std::make_unique<impl>();
  p->cert = std::move(parts.cert);
  p->key = std::move(parts.key);
  p->chain_der = std::move(parts.chain_der);
  if (EVP_PKEY_get_base_id(p->key.get()) != EVP_PKEY_RSA)
    return fail("the private key is not an RSA key (Entra client assertions are signed PS256 or RS256)");
  if (X509_check_private_key(p->cert.get(), p->key.get()) != 1) {
    ERR_clear_error();
    return fail("the private key does not belong to the certificate");
  }
  p->der = der_of(p->cert.get());
  if (p->der.empty()) return fail("cannot encode the certificate");
  return client_certificate(std::move(p));
}

std::size_t client_certificate::chain_length() const { return 1 + impl_->chain_der.size(); }

std::string client_certificate::x5t() const { return base64url_encode(digest_of(impl_->der, EVP_sha1())); }

std::string client_certificate::x5t_s256() const { return base64url_encode(digest_of(impl_->der, EVP_sha256())); }

base::result<std::string> client_certificate::make_assertion(const std::string& client_id, const std::string& audience,
                                                             bool rs256, std::chrono::system_clock::time_point now,
                                                             bool send_chain) const {
  // Values are GUIDs and URLs checked by resolve_settings; none needs JSON escaping beyond what they contain.
  auto const quote = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  // x5c (RFC 7515 §4.1.6): standard base64 DER, the signing certificate first.
  std::string x5c;
  if (send_chain) {
    x5c = R"(,"x5c":[)" + quote(base64_encode(impl_->der));
    for (auto const& der : impl_->chain_der) x5c += "," + quote(base64_encode(der));
    x5c += "]";
  }
  auto const header = rs256 ? fmt::format(R"({{"alg":"RS256","typ":"JWT","x5t":{}{}}})", quote(x5t()), x5c)
                            : fmt::format(R"({{"alg":"PS256","typ":"JWT","x5t#S256":{}{}}})", quote(x5t_s256()), x5c);
  auto const seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // exp: "5-10 minutes after nbf at most" (certificate-credentials.md).
  auto const claims =
      fmt::format(R"({{"aud":{},"iss":{},"sub":{},"jti":"{}","nbf":{},"iat":{},"exp":{}}})", quote(audience),
                  quote(client_id), quote(client_id), new_guid(), seconds, seconds, seconds + 600);
  std::string const signing_input = base64url_encode(header) + "." + base64url_encode(claims);

  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  auto const sign_error = [] {
    ERR_clear_error();
    return base::runtime_error("cannot sign the client assertion with the certificate's private key");
  };
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, impl_->key.get()) != 1) return sign_error();
  if (!rs256 && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
    return sign_error();
  std::size_t length = 0;
  auto const* data = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &length, data, signing_input.size()) != 1) return sign_error();
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     signing_input.size()) != 1)
    return sign_error();
  signature.resize(length);
  return base::result<std::string>{boost::system::in_place_value, signing_input + "." + base64url_encode(signature)};
}

}  // namespace scanner
