// Unit tests of the server's parts that need no network: query parsing, page tokens, the throttle bucket,
// the fault schedule, the TLS certificate and client-assertion verification.
#include "graphsim/detail/faults.hpp"
#include "graphsim/detail/jwt_verify.hpp"
#include "graphsim/detail/odata_query.hpp"
#include "graphsim/detail/page_token.hpp"
#include "graphsim/detail/text.hpp"
#include "graphsim/detail/throttle.hpp"
#include "graphsim/detail/tls_cert.hpp"
#include "server_jwt_support.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <chrono>

using namespace graphsim;

TEST_CASE("query options are parsed case-insensitively with their values decoded") {
  auto q = parse_odata_query("/v1.0/users?$SELECT=id,%20displayName&$top=7&$count=true&api-version=1");
  REQUIRE(q.has_value());
  CHECK(q->select == std::vector<std::string>{"id", "displayName"});
  CHECK(q->top == 7);
  CHECK(q->count);
}

TEST_CASE("a repeated, non-numeric or unsupported query option is refused with Graph's 400") {
  CHECK_FALSE(parse_odata_query("/v1.0/users?$top=1&$top=2").has_value());
  auto bad_top = parse_odata_query("/v1.0/users?$top=abc");
  REQUIRE_FALSE(bad_top.has_value());
  CHECK(bad_top.error().status == 400);
  auto skip = parse_odata_query("/v1.0/users?$skip=5");
  REQUIRE_FALSE(skip.has_value());
  CHECK(skip.error().code == "Request_BadRequest");
  auto filter = parse_odata_query("/v1.0/users?$filter=city%20eq%20null");
  REQUIRE_FALSE(filter.has_value());
  CHECK(filter.error().code == "Request_UnsupportedQuery");
}

TEST_CASE("the supported filters are recognised, quotes unescaped") {
  auto sw = parse_odata_query("/v1.0/users?$filter=startswith(userPrincipalName,'o''brien')");
  REQUIRE(sw.has_value());
  REQUIRE(sw->filter.has_value());
  CHECK(sw->filter->k == filter_node::kind::starts_with);
  CHECK(sw->filter->property == "userPrincipalName");
  CHECK(sw->filter->values == std::vector<std::string>{"o'brien"});
  auto licensed = parse_odata_query("/v1.0/users?$filter=assignedLicenses/$count%20ne%200&$count=true");
  REQUIRE(licensed.has_value());
  REQUIRE(licensed->filter.has_value());
  CHECK(licensed->filter->k == filter_node::kind::license_count);
  CHECK(licensed->filter->op == compare_op::ne);
}

TEST_CASE("$search matches displayName by words as Graph documents its tokenizing") {
  // search-query-parameter.md's examples: case turns split words, numbers are words, symbols join words.
  CHECK(words_match("hello", "HelloWORld"));
  CHECK(words_match("world", "HelloWORld"));
  CHECK_FALSE(words_match("world", "HELLOworld"));  // lower to upper only: one word "helloworld"
  CHECK(words_match("123", "hello123world"));
  CHECK(words_match("helloworld", "hello.world"));
  CHECK(words_match("helloworld", "hello-world"));
  CHECK(words_match("li david", "David Li"));  // any order
  CHECK(words_match("Dav", "David Li"));       // a word's start
  CHECK_FALSE(words_match("avid", "David Li"));
  auto q = parse_odata_query("/v1.0/users?$search=%22displayName:ana%22%20OR%20%22mail:ana%22");
  REQUIRE(q.has_value());
  REQUIRE(q->search.has_value());
  CHECK(q->search->k == filter_node::kind::any_of);
  CHECK(q->search->children.size() == 2);
  CHECK_FALSE(parse_odata_query("/v1.0/users?$search=ana").has_value());
  CHECK_FALSE(parse_odata_query("/v1.0/users?$search=%22accountEnabled:true%22").has_value());
}

TEST_CASE("a sealed page token opens to the same values and a tampered one does not") {
  page_token_codec codec(42);
  page_token t{page_kind::users, 999, 3, 1, 77, 5};
  std::string sealed = codec.seal(t);
  auto opened = codec.open(sealed);
  REQUIRE(opened.has_value());
  CHECK(opened->position == 999);
  CHECK(opened->query_hash == 77);
  CHECK(opened->page == 5);
  sealed[5] = sealed[5] == 'A' ? 'B' : 'A';
  CHECK_FALSE(codec.open(sealed).has_value());
  CHECK_FALSE(codec.open("garbage").has_value());
  CHECK_FALSE(page_token_codec(43).open(codec.seal(t)).has_value());
}

TEST_CASE("the throttle bucket refuses over budget and names the wait until it refills") {
  using clock = throttle_bucket::clock;
  auto const t0 = clock::now();
  throttle_bucket bucket(10, t0);  // 10 RU per 10 s: 1 RU per second
  for (int i = 0; i < 5; ++i) CHECK(bucket.take(2, t0) == 0);
  double const wait = bucket.take(2, t0);
  CHECK(wait == doctest::Approx(2.0));
  CHECK(bucket.take(2, t0 + std::chrono::milliseconds(2001)) == 0);
  CHECK(format_retry_after(2.128) == "2.128");
  CHECK(format_retry_after(2.0) == "2");
  CHECK(format_retry_after(0.0001) == "0.001");
}

TEST_CASE("request costs follow the documented table and modifiers") {
  CHECK(request_cost(cost_class::users_list, false, false) == 2);
  CHECK(request_cost(cost_class::users_list, true, false) == 1);
  CHECK(request_cost(cost_class::subscribed_skus, true, true) == 1);
  CHECK(request_cost(cost_class::subscribed_skus, false, true) == 2);
  CHECK(request_cost(cost_class::other, true, true) == 1);
}

TEST_CASE("a fault schedule numbers Graph requests from 1 and open ranges run forever") {
  auto rules = parse_fault_schedule("2:503, 4-5:reset,7-:slow");
  REQUIRE(rules.has_value());
  fault_plan plan(*rules, 0, 1);
  std::vector<fault> seen;
  for (int i = 0; i < 9; ++i) seen.push_back(plan.next());
  CHECK(seen == std::vector<fault>{fault::none, fault::unavailable_503, fault::none, fault::reset, fault::reset,
                                   fault::none, fault::slow, fault::slow, fault::slow});
  CHECK_FALSE(parse_fault_schedule("0:503").has_value());
  CHECK_FALSE(parse_fault_schedule("3:teapot").has_value());
  CHECK_FALSE(parse_fault_schedule("5-3:500").has_value());
}

TEST_CASE("a random fault rate of 1 faults every request and 0 none") {
  fault_plan always({}, 1.0, 3);
  fault_plan never({}, 0.0, 3);
  for (int i = 0; i < 50; ++i) {
    CHECK(always.next() != fault::none);
    CHECK(never.next() == fault::none);
  }
}

TEST_CASE("the generated TLS certificate names 127.0.0.1 and localhost") {
  auto identity = make_self_signed_identity();
  REQUIRE(identity.has_value());
  BIO* bio = BIO_new_mem_buf(identity->cert_pem.data(), static_cast<int>(identity->cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  REQUIRE(cert != nullptr);
  CHECK(X509_check_ip_asc(cert, "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(cert, "localhost", 0, 0, nullptr) == 1);
  X509_free(cert);
  BIO_free(bio);
}

TEST_CASE("client assertions verify with the registered certificate and fail when tampered or expired") {
  server_test::test_certificate cert;
  cert_registry registry;
  REQUIRE(registry.add_pem(cert.cert_pem()).has_value());
  assertion_expectation expect;
  expect.client_id = "app";
  expect.tenant_keys = {"tid", "contoso.onmicrosoft.com"};
  expect.now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::string const aud = "https://127.0.0.1:1/tid/oauth2/v2.0/token";
  for (std::string alg : {"PS256", "RS256"}) {
    CAPTURE(alg);
    std::string const jwt = cert.sign(alg, server_test::assertion_claims(aud, "app"));
    auto ok = verify_client_assertion(jwt, registry, expect);
    REQUIRE(ok.has_value());
    CHECK(*ok == assertion_kind::client_certificate);
    std::string tampered = jwt;
    tampered[jwt.find('.') + 3] ^= 1;
    CHECK_FALSE(verify_client_assertion(tampered, registry, expect).has_value());
  }
  auto expired = verify_client_assertion(cert.sign("PS256", server_test::assertion_claims(aud, "app", -900, -300)),
                                         registry, expect);
  REQUIRE_FALSE(expired.has_value());
  CHECK(expired.error().aadsts == 700024);
  auto wrong_aud = verify_client_assertion(
      cert.sign("PS256", server_test::assertion_claims("https://x/other/oauth2/v2.0/token", "app")), registry, expect);
  REQUIRE_FALSE(wrong_aud.has_value());
  CHECK(wrong_aud.error().aadsts == 700023);
  auto federated = verify_client_assertion(
      cert.sign("RS256", server_test::assertion_claims("api://AzureADTokenExchange", "system:serviceaccount:x")),
      registry, expect);
  REQUIRE(federated.has_value());
  CHECK(*federated == assertion_kind::federated);
  server_test::test_certificate stranger;
  auto unknown =
      verify_client_assertion(stranger.sign("PS256", server_test::assertion_claims(aud, "app")), registry, expect);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().aadsts == 700027);
}

TEST_CASE("base64url round-trips and random guids have the GUID layout") {
  std::string const bytes("\x00\xff\x10 hello", 9);
  CHECK(base64url_decode(base64url_encode(bytes)) == bytes);
  std::mt19937_64 rng(1);
  std::string const g = random_guid(rng);
  CHECK(g.size() == 36);
  CHECK(g[8] == '-');
  CHECK(g[14] == '4');
}
