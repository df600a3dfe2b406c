#include "scanner/detail/client_certificate.hpp"

#include "scanner/detail/encoding.hpp"
#include "support.hpp"
#include "test_pki.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>

namespace {

struct decoded_jwt {
  rapidjson::Document header;
  rapidjson::Document claims;
};

decoded_jwt decode(const std::string& jwt) {
  auto const dot1 = jwt.find('.');
  auto const dot2 = jwt.find('.', dot1 + 1);
  REQUIRE(dot1 != std::string::npos);
  REQUIRE(dot2 != std::string::npos);
  std::string header, claims;
  REQUIRE(scanner::base64url_decode(jwt.substr(0, dot1), header));
  REQUIRE(scanner::base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1), claims));
  decoded_jwt out;
  out.header.Parse(header.c_str());
  out.claims.Parse(claims.c_str());
  REQUIRE(out.header.IsObject());
  REQUIRE(out.claims.IsObject());
  return out;
}

std::string digest(const std::string& der, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(der.data(), der.size(), out, &n, md, nullptr);
  return scanner::base64url_encode(std::string(reinterpret_cast<char*>(out), n));
}

}  // namespace

TEST_CASE("a PS256 client assertion carries x5t#S256 and the claims Entra expects, signed with RSA-PSS") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("app");
  test_support::write_file(dir / "app.pem", pki.cert + pki.key);
  auto cert = scanner::client_certificate::load((dir / "app.pem").string(), std::nullopt);
  REQUIRE(cert.has_value());
  auto const now = std::chrono::system_clock::from_time_t(1'700'000'000);
  std::string const aud = "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token";
  auto jwt = cert->make_assertion("client-1", aud, false, now);
  REQUIRE(jwt.has_value());
  auto const d = decode(*jwt);
  CHECK(std::string(d.header["alg"].GetString()) == "PS256");
  CHECK(std::string(d.header["typ"].GetString()) == "JWT");
  CHECK(std::string(d.header["x5t#S256"].GetString()) == digest(test_pki::cert_der(pki.cert), EVP_sha256()));
  CHECK_FALSE(d.header.HasMember("x5t"));
  CHECK(std::string(d.claims["aud"].GetString()) == aud);
  CHECK(std::string(d.claims["iss"].GetString()) == "client-1");
  CHECK(std::string(d.claims["sub"].GetString()) == "client-1");
  CHECK(std::string(d.claims["jti"].GetString()).size() == 36);
  CHECK(d.claims["nbf"].GetInt64() == 1'700'000'000);
  CHECK(d.claims["iat"].GetInt64() == 1'700'000'000);
  CHECK(d.claims["exp"].GetInt64() == 1'700'000'600);
  CHECK(test_pki::verify_jwt_signature(*jwt, pki.cert, true));
  CHECK_FALSE(test_pki::verify_jwt_signature(*jwt, pki.cert, false));
}

TEST_CASE("an RS256 client assertion carries the SHA-1 x5t and a PKCS#1 v1.5 signature") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("app");
  test_support::write_file(dir / "app.pem", pki.key + pki.cert);  // key first is fine too
  auto cert = scanner::client_certificate::load((dir / "app.pem").string(), std::nullopt);
  REQUIRE(cert.has_value());
  auto jwt =
      cert->make_assertion("client-1", "https://login/t/oauth2/v2.0/token", true, std::chrono::system_clock::now());
  REQUIRE(jwt.has_value());
  auto const d = decode(*jwt);
  CHECK(std::string(d.header["alg"].GetString()) == "RS256");
  CHECK(std::string(d.header["x5t"].GetString()) == digest(test_pki::cert_der(pki.cert), EVP_sha1()));
  CHECK(cert->x5t() == digest(test_pki::cert_der(pki.cert), EVP_sha1()));
  CHECK(test_pki::verify_jwt_signature(*jwt, pki.cert, false));
}

TEST_CASE("two assertions never share a jti") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("app");
  test_support::write_file(dir / "app.pem", pki.cert + pki.key);
  auto cert = scanner::client_certificate::load((dir / "app.pem").string(), std::nullopt);
  REQUIRE(cert.has_value());
  auto const now = std::chrono::system_clock::now();
  auto a = cert->make_assertion("c", "https://a/t/oauth2/v2.0/token", false, now);
  auto b = cert->make_assertion("c", "https://a/t/oauth2/v2.0/token", false, now);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(std::string(decode(*a).claims["jti"].GetString()) != std::string(decode(*b).claims["jti"].GetString()));
}

TEST_CASE("the documented x5t example is the base64url of the SHA-1 thumbprint bytes") {
  // docs/graph.md §10.2: hex 84E05C1D98BCE3A5421D225B140B36E86A3D5534 -> hOBcHZi846VCHSJbFAs26Go9VTQ
  std::string const bytes = "\x84\xE0\x5C\x1D\x98\xBC\xE3\xA5\x42\x1D\x22\x5B\x14\x0B\x36\xE8\x6A\x3D\x55\x34";
  CHECK(scanner::base64url_encode(bytes) == "hOBcHZi846VCHSJbFAs26Go9VTQ");
}

TEST_CASE("an encrypted key opens with the right password and fails clearly with a wrong or missing one") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("app");
  test_support::write_file(dir / "app.pem", pki.cert + test_pki::encrypt_key(pki.key, "correct horse"));
  auto const path = (dir / "app.pem").string();
  CHECK((scanner::client_certificate::load(path, std::string("correct horse"))).has_value());
  auto wrong = scanner::client_certificate::load(path, std::string("battery staple"));
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().message.find("wrong password") != std::string::npos);
  CHECK(wrong.error().message.find("battery") == std::string::npos);
  auto missing = scanner::client_certificate::load(path, std::nullopt);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("AZURE_CLIENT_CERTIFICATE_PASSWORD") != std::string::npos);
}

TEST_CASE("a missing file, a file without a key and one without a certificate are named as such") {
  test_support::temp_dir dir;
  auto const pki = test_pki::make_client_cert("app");
  auto nofile = scanner::client_certificate::load((dir / "nope.pem").string(), std::nullopt);
  REQUIRE_FALSE(nofile.has_value());
  CHECK(nofile.error().code == base::exit_code::usage);
  CHECK(nofile.error().message.find("does not exist") != std::string::npos);

  test_support::write_file(dir / "cert-only.pem", pki.cert);
  auto nokey = scanner::client_certificate::load((dir / "cert-only.pem").string(), std::nullopt);
  REQUIRE_FALSE(nokey.has_value());
  CHECK(nokey.error().message.find("no private key") != std::string::npos);

  test_support::write_file(dir / "key-only.pem", pki.key);
  auto nocert = scanner::client_certificate::load((dir / "key-only.pem").string(), std::nullopt);
  REQUIRE_FALSE(nocert.has_value());
  CHECK(nocert.error().message.find("no PEM certificate") != std::string::npos);

  auto const other = test_pki::make_client_cert("other");
  test_support::write_file(dir / "mismatch.pem", pki.cert + other.key);
  auto mismatch = scanner::client_certificate::load((dir / "mismatch.pem").string(), std::nullopt);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().message.find("does not belong") != std::string::npos);
}

TEST_CASE("with send_chain the assertion's x5c holds the certificate first, then the chain the PEM file holds") {
  test_support::temp_dir dir;
  auto const app = test_pki::make_client_cert("app");
  auto const ca = test_pki::make_client_cert("issuing ca");
  test_support::write_file(dir / "app.pem", app.cert + app.key + ca.cert);
  auto cert = scanner::client_certificate::load((dir / "app.pem").string(), std::nullopt);
  REQUIRE(cert.has_value());
  CHECK(cert->chain_length() == 2);
  auto jwt = cert->make_assertion("c", "https://a/t/oauth2/v2.0/token", false, std::chrono::system_clock::now(), true);
  REQUIRE(jwt.has_value());
  auto const d = decode(*jwt);
  REQUIRE(d.header.HasMember("x5c"));
  REQUIRE(d.header["x5c"].IsArray());
  REQUIRE(d.header["x5c"].Size() == 2);
  CHECK(std::string(d.header["x5c"][0].GetString()) == scanner::base64_encode(test_pki::cert_der(app.cert)));
  CHECK(std::string(d.header["x5c"][1].GetString()) == scanner::base64_encode(test_pki::cert_der(ca.cert)));
  auto plain = cert->make_assertion("c", "https://a/t/oauth2/v2.0/token", false, std::chrono::system_clock::now());
  REQUIRE(plain.has_value());
  CHECK_FALSE(decode(*plain).header.HasMember("x5c"));
}

TEST_CASE("a file that is neither PEM nor PKCS#12 is one usage error saying so") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "junk.pfx", std::string("\x30\x03\x02\x01\x00junk", 9));
  auto junk = scanner::client_certificate::load((dir / "junk.pfx").string(), std::nullopt);
  REQUIRE_FALSE(junk.has_value());
  CHECK(junk.error().code == base::exit_code::usage);
  CHECK(junk.error().message.find("neither PEM") != std::string::npos);
}
