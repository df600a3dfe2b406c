#include "base/redact.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

// A secret made of every character that encodings change (docs/security.md).
const std::string secret = "a/b+c=d~e%f g\"h";

std::string redacted(const std::string& text, base::secret_kind kind = base::secret_kind::credential) {
  base::redactor r;
  r.add(secret, kind);
  return r.apply(text);
}

}  // namespace

TEST_CASE("a secret is hidden raw, percent- and form-encoded in either hex case, and JSON-escaped") {
  for (std::string const& spelled : {
           secret,
           std::string("a%2Fb%2Bc%3Dd~e%25f%20g%22h"),                       // percent-encoding, upper-case hex
           std::string("a%2fb%2bc%3dd~e%25f%20g%22h"),                       // lower-case hex
           std::string("a%2Fb%2Bc%3Dd~e%25f+g%22h"),                         // form encoding: + for the space
           std::string("a%2Fb%2Bc%3Dd%7Ee%25f+g%22h"),                       // every reserved character encoded
           std::string(R"(a/b+c=d~e%f g\"h)"),                               // JSON string
           std::string(R"(a\/b+c=d~e%f g\"h)"),                              // JSON with an escaped solidus
           std::string(R"(a\u002fb\u002Bc\u003dd~e\u0025f\u0020g\u0022h)"),  // JSON \u escapes
           std::string(R"(a%2Fb\u002bc=d~e%25f+g\"h)"),                      // a mix in one occurrence
       }) {
    CAPTURE(spelled);
    CHECK(redacted("error: " + spelled + " was refused") == "error: [redacted] was refused");
  }
}

TEST_CASE("a secret inside base64 or base64url text is hidden at each of the three alignments") {
  // base64("22222222-2222-2222-2222-222222222222:" + secret): an HTTP Basic header echoed back.
  std::string const basic = "MjIyMjIyMjItMjIyMi0yMjIyLTIyMjItMjIyMjIyMjIyMjIyOmEvYitjPWR+ZSVmIGciaA==";
  auto out = redacted("Authorization: Basic " + basic);
  CHECK(out.find("[redacted]") != std::string::npos);
  CHECK(out.find("YitjPWR+ZSVm") == std::string::npos);
  // The same text percent-encoded ('+' as %2B), as a server may echo it in a URL.
  out = redacted("MjIyOmEvYitjPWR%2BZSVmIGciaA%3D%3D");
  CHECK(out.find("YitjPWR") == std::string::npos);
  CHECK(out.find("[redacted]") != std::string::npos);
  // Offsets 0, 1 and 2 before the secret, in both alphabets.
  for (auto const& [encoded, middle] : {std::pair{"YS9iK2M9ZH5lJWYgZyJodGFpbA==", "K2M9ZH5lJWYg"},
                                        std::pair{"eGEvYitjPWR-ZSVmIGciaHRhaWw=", "YitjPWR-ZSVm"},
                                        std::pair{"eHlhL2IrYz1kfmUlZiBnImh0YWls", "L2IrYz1kfmUl"}}) {
    CAPTURE(encoded);
    out = redacted(encoded);
    CHECK(out.find(middle) == std::string::npos);
    CHECK(out.find("[redacted]") != std::string::npos);
  }
}

TEST_CASE("tokens and assertions are hidden raw and encoded, but not looked for inside base64") {
  base::redactor r;
  std::string const token = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln";
  r.add(token, base::secret_kind::token);
  CHECK(r.apply("Bearer " + token) == "Bearer [redacted]");
  CHECK(r.apply("assertion=eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln&x=1") == "assertion=[redacted]&x=1");
  CHECK(r.apply("ZXlKMGVYQWlPaUpLVjFRaWZR") == "ZXlKMGVYQWlPaUpLVjFRaWZR");
}

TEST_CASE("text without a secret is unchanged, and secrets shorter than four bytes are not registered") {
  base::redactor r;
  r.add("abc", base::secret_kind::credential);
  CHECK(r.empty());
  r.add(secret, base::secret_kind::credential);
  std::string const text = "GET https://graph.microsoft.com/v1.0/users?$top=999 failed: 503 %2F + \\u0041";
  CHECK(r.apply(text) == text);
  CHECK(r.apply("") == "");
}

TEST_CASE("the process-wide set hides a registered secret from base::redact") {
  std::string const process_secret = "process-wide/secret+value=1";
  base::register_secret(process_secret, base::secret_kind::credential);
  CHECK(base::redact("x process-wide%2Fsecret%2Bvalue%3D1 y") == "x [redacted] y");
}
