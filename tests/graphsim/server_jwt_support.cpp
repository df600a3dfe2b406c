#include "server_jwt_support.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <chrono>
#include <stdexcept>

namespace server_test {
namespace {

std::string b64url(std::string_view bytes) {
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 0x3f]);
  return out;
}

void check(bool ok, char const* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

}  // namespace

struct test_certificate::impl {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string pem;
  std::string x5t;
  std::string x5t_s256;
  ~impl() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

test_certificate::test_certificate() : impl_(std::make_unique<impl>()) {
  impl_->key = EVP_RSA_gen(2048);
  check(impl_->key != nullptr, "key");
  impl_->cert = X509_new();
  X509_set_version(impl_->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(impl_->cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(impl_->cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(impl_->cert), 3600);
  X509_NAME* name = X509_get_subject_name(impl_->cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("graphsim test app"), -1,
                             -1, 0);
  X509_set_issuer_name(impl_->cert, name);
  X509_set_pubkey(impl_->cert, impl_->key);
  check(X509_sign(impl_->cert, impl_->key, EVP_sha256()) != 0, "sign");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, impl_->cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  impl_->pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(impl_->cert, EVP_sha1(), digest, &len);
  impl_->x5t = b64url({reinterpret_cast<char*>(digest), len});
  X509_digest(impl_->cert, EVP_sha256(), digest, &len);
  impl_->x5t_s256 = b64url({reinterpret_cast<char*>(digest), len});
}

test_certificate::~test_certificate() = default;

std::string const& test_certificate::cert_pem() const { return impl_->pem; }

std::string test_certificate::sign(std::string const& alg, std::string const& claims_json) const {
  std::string const header = alg == "PS256"
                                 ? fmt::format(R"({{"alg":"PS256","typ":"JWT","x5t#S256":"{}"}})", impl_->x5t_s256)
                                 : fmt::format(R"({{"alg":"RS256","typ":"JWT","x5t":"{}"}})", impl_->x5t);
  std::string const signing_input = b64url(header) + "." + b64url(claims_json);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  check(EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, impl_->key) == 1, "sign init");
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  auto const* in = reinterpret_cast<unsigned char const*>(signing_input.data());
  check(EVP_DigestSign(ctx, nullptr, &len, in, signing_input.size()) == 1, "sign size");
  std::string sig(len, '\0');
  check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, signing_input.size()) == 1, "sign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return signing_input + "." + b64url(sig);
}

std::string assertion_claims(std::string const& aud, std::string const& client_id, long nbf_offset, long exp_offset) {
  long const now = static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  return fmt::format(R"({{"aud":"{}","iss":"{}","sub":"{}","jti":"{}","nbf":{},"iat":{},"exp":{}}})", aud, client_id,
                     client_id, now, now + nbf_offset, now + nbf_offset, now + exp_offset);
}

}  // namespace server_test
