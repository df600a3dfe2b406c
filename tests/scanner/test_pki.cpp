#include "test_pki.hpp"

#include "scanner/detail/encoding.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace test_pki {
namespace {

template <class T, void (*F)(T*)>
struct deleter {
  void operator()(T* p) const noexcept { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test_pki: ") + what);
}

pkey_ptr new_rsa_key() {
  pkey_ptr key(EVP_RSA_gen(2048));
  check(key != nullptr, "EVP_RSA_gen");
  return key;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long const n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string key_pem(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  return bio_text(bio.get());
}

std::string cert_pem(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "write cert");
  return bio_text(bio.get());
}

pkey_ptr read_key(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "read key");
  return key;
}

x509_ptr read_cert(const std::string& pem) {
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  x509_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "read cert");
  return cert;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

x509_ptr new_cert(EVP_PKEY* key, const std::string& cn, long serial) {
  x509_ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_set_pubkey(cert.get(), key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

}  // namespace

pem_pair make_ca(const std::string& cn) {
  auto key = new_rsa_key();
  auto cert = new_cert(key.get(), cn, 1);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign CA");
  return {cert_pem(cert.get()), key_pem(key.get())};
}

pem_pair make_server_cert(const pem_pair& ca, const std::string& subject_alt_name) {
  auto ca_key = read_key(ca.key);
  auto ca_cert = read_cert(ca.cert);
  auto key = new_rsa_key();
  auto cert = new_cert(key.get(), "test server", 2);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  add_ext(cert.get(), ca_cert.get(), NID_subject_alt_name, subject_alt_name.c_str());
  add_ext(cert.get(), ca_cert.get(), NID_basic_constraints, "CA:FALSE");
  check(X509_sign(cert.get(), ca_key.get(), EVP_sha256()) > 0, "sign server");
  return {cert_pem(cert.get()), key_pem(key.get())};
}

pem_pair make_client_cert(const std::string& cn) {
  auto key = new_rsa_key();
  auto cert = new_cert(key.get(), cn, 3);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign client");
  return {cert_pem(cert.get()), key_pem(key.get())};
}

std::string encrypt_key(const std::string& pem, const std::string& password) {
  auto key = read_key(pem);
  bio_ptr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), password.data(),
                                      static_cast<int>(password.size()), nullptr, nullptr) == 1,
        "encrypt key");
  return bio_text(bio.get());
}

std::string cert_der(const std::string& pem) {
  auto cert = read_cert(pem);
  unsigned char* der = nullptr;
  int const n = i2d_X509(cert.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

bool verify_jwt_signature(const std::string& jwt, const std::string& pem, bool pss) {
  auto const last_dot = jwt.rfind('.');
  if (last_dot == std::string::npos) return false;
  std::string signature;
  if (!scanner::base64url_decode(jwt.substr(last_dot + 1), signature)) return false;
  auto cert = read_cert(pem);
  pkey_ptr key(X509_get_pubkey(cert.get()));
  std::unique_ptr<EVP_MD_CTX, deleter<EVP_MD_CTX, EVP_MD_CTX_free>> ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key.get()) != 1) return false;
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(jwt.data()), last_dot) == 1;
}

}  // namespace test_pki
