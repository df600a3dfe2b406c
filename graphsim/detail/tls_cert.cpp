#include "graphsim/detail/tls_cert.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace graphsim {
namespace {

struct pkey_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct x509_free {
  void operator()(X509* p) const noexcept { X509_free(p); }
};
struct bio_free {
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct ext_free {
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long const n = BIO_get_mem_data(bio, &data);
  return {data, static_cast<std::size_t>(n)};
}

bool add_extension(X509* cert, int nid, char const* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ext_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

}  // namespace

std::string openssl_error_text() {
  unsigned long const code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

base::result<tls_identity> make_self_signed_identity() {
  auto fail = [](char const* step) {
    return base::runtime_error(std::string("cannot generate the emulator's TLS certificate (") + step +
                               "): " + openssl_error_text());
  };
  std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_EC_gen("P-256"));
  if (!key) return fail("key");
  std::unique_ptr<X509, x509_free> cert(X509_new());
  if (!cert) return fail("certificate");
  X509_set_version(cert.get(), 2);  // v3, needed for extensions
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return fail("serial");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()))) {
    BN_free(bn);
    return fail("serial");
  }
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("entra-audit graphsim"),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_set_pubkey(cert.get(), key.get()) != 1) return fail("public key");
  // A self-signed trust anchor that is also the server's leaf: strict verifiers (Python 3.13, Go) want
  // CA:TRUE with keyUsage keyCertSign for the anchor and serverAuth for the leaf, as `openssl req -x509` makes.
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth") ||
      !add_extension(cert.get(), NID_subject_key_identifier, "hash") ||
      !add_extension(cert.get(), NID_authority_key_identifier, "keyid:always") ||
      !add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"))
    return fail("extensions");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return fail("signature");

  std::unique_ptr<BIO, bio_free> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, bio_free> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return fail("PEM");
  return tls_identity{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

}  // namespace graphsim
