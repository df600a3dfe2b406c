#include "scanner/detail/capture_pseudonyms.hpp"

#include "scanner/detail/capture_text.hpp"
#include "scanner/detail/encoding.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <regex>
#include <string>

namespace {

const std::string root = "http://127.0.0.1:4321";

scanner::pseudonymizer make(std::string key = "key-1") { return scanner::pseudonymizer(std::move(key), root, root); }

bool valid_upn(const std::string& upn) {
  // Entra: a local part of letters, digits and ' . - _ ! # ^ ~ (not starting with a dot), @, a domain.
  static const std::regex shape(R"([A-Za-z0-9'\-_!#^~][A-Za-z0-9'.\-_!#^~]*@[a-z0-9\-]+(\.[a-z0-9\-]+)+)");
  return std::regex_match(upn, shape);
}

rapidjson::Document parsed(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

}  // namespace

TEST_CASE("an address becomes a valid user principal name keeping its first character and a guest's #EXT#") {
  auto p = make();
  auto const a = p.address("ana.silva@contoso.onmicrosoft.com");
  CHECK(valid_upn(a));
  CHECK(a.starts_with("a-"));
  CHECK(a.ends_with(".invalid"));
  CHECK(a.find("silva") == std::string::npos);
  CHECK(a.find("contoso") == std::string::npos);
  auto const guest = p.address("bob_fabrikam.com#EXT#@contoso.onmicrosoft.com");
  CHECK(valid_upn(guest));
  CHECK(guest.find("#EXT#@") != std::string::npos);
  CHECK(guest.find("fabrikam") == std::string::npos);
  // One domain, one pseudonym of it: users of a domain stay together.
  CHECK(a.substr(a.find('@')) == guest.substr(guest.find('@')));
}

TEST_CASE("pseudonyms are stable within a capture, case-insensitive for addresses, and differ between captures") {
  auto p = make("key-1");
  auto q = make("key-2");
  CHECK(p.address("Ana.Silva@Contoso.com") == "A" + p.address("ana.silva@contoso.com").substr(1));
  CHECK(p.name("Finance") == p.name("Finance"));
  CHECK(p.name("Finance") != p.name("finance"));
  CHECK(p.name("Finance") != q.name("Finance"));
  CHECK(p.address("ana@contoso.com") != q.address("ana@contoso.com"));
  CHECK(p.name("Finance").starts_with("n-"));
  CHECK(p.name("Finance").size() == 18);
}

TEST_CASE("a users page keeps ids, SKU ids, counts and flags and loses every name, address and department") {
  auto p = make();
  std::string const page = R"({"@odata.context":")" + root + R"(/v1.0/$metadata#users","@odata.count":2,"value":[
    {"id":"5f1c0f4e-0000-4000-8000-000000000001","userPrincipalName":"ana.silva@contoso.com",
     "displayName":"Silva, Ana \"The Boss\"","mail":"ana.silva@contoso.com","accountEnabled":true,
     "department":"Research, Development & Innovation","jobTitle":"Chief Tester","givenName":"Ana","surname":"Silva",
     "otherMails":["ana@gmail.com"],"proxyAddresses":["SMTP:ana.silva@contoso.com","X500:/o=Contoso/cn=ana"],
     "mailNickname":"ana.silva","employeeId":"E-1234","onPremisesSamAccountName":"asilva",
     "onPremisesUserPrincipalName":"asilva@corp.contoso.com","userType":"Member","usageLocation":"PT",
     "assignedLicenses":[{"disabledPlans":[],"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900"}],
     "licenseAssignmentStates":[{"skuId":"6fd2c87f-b296-42f0-b197-1e91e994b900","assignedByGroup":null,
       "state":"Active","error":"None"}]}],
    "@odata.nextLink":")" + root +
                           R"(/v1.0/users?$top=999&$skiptoken=AbC-12_x"})";
  auto const out = p.json_body(page);
  for (char const* gone :
       {"silva", "Silva", "contoso", "Research", "Chief Tester", "gmail", "E-1234", "asilva", "127.0.0.1"})
    CHECK_MESSAGE(out.find(gone) == std::string::npos, gone);
  auto doc = parsed(out);
  auto const& user = doc["value"][0];
  CHECK(std::string(user["id"].GetString()) == "5f1c0f4e-0000-4000-8000-000000000001");
  CHECK(user["accountEnabled"].GetBool());
  CHECK(doc["@odata.count"].GetInt() == 2);
  CHECK(std::string(user["userType"].GetString()) == "Member");
  CHECK(std::string(user["usageLocation"].GetString()) == "PT");
  CHECK(std::string(user["assignedLicenses"][0]["skuId"].GetString()) == "6fd2c87f-b296-42f0-b197-1e91e994b900");
  CHECK(std::string(user["licenseAssignmentStates"][0]["state"].GetString()) == "Active");
  std::string const upn = user["userPrincipalName"].GetString();
  CHECK(valid_upn(upn));
  CHECK(upn == user["mail"].GetString());  // the same address, the same pseudonym
  CHECK(std::string(user["proxyAddresses"][0].GetString()) == "SMTP:" + upn);
  CHECK(std::string(user["proxyAddresses"][1].GetString()).starts_with("X500:n-"));
  CHECK(std::string(user["department"].GetString()).starts_with("n-"));
  CHECK(std::string(doc["@odata.nextLink"].GetString()) ==
        std::string(scanner::capture_graph_origin) + "/v1.0/users?$top=999&$skiptoken=AbC-12_x");
  CHECK(std::string(doc["@odata.context"].GetString()) ==
        std::string(scanner::capture_graph_origin) + "/v1.0/$metadata#users");
}

TEST_CASE("a name in a nextLink's $filter is pseudonymized and the link still decodes to a valid filter") {
  auto p = make();
  std::string const link =
      root + "/v1.0/users?$count=true&$filter=" +
      scanner::form_encode("startswith(userPrincipalName,'j') and userPrincipalName le 'jo.o''neil@contoso.com'") +
      "&$skiptoken=x";
  auto const out = p.url(link);
  CHECK(out.starts_with(std::string(scanner::capture_graph_origin) + "/v1.0/users?$count=true&$filter="));
  CHECK(out.ends_with("&$skiptoken=x"));
  auto const decoded = scanner::capture_text::percent_decode(out);
  CHECK(decoded.find("contoso") == std::string::npos);
  CHECK(decoded.find("neil") == std::string::npos);
  CHECK(decoded.find("startswith(userPrincipalName,'j') and userPrincipalName le '" +
                     p.address("jo.o'neil@contoso.com") + "'") != std::string::npos);
  // A target without names is left byte for byte.
  CHECK(p.url("/v1.0/users?$select=id&$top=1&$count=true") == "/v1.0/users?$select=id&$top=1&$count=true");
}

TEST_CASE("an error message naming an address or a value pseudonymized before loses them too") {
  auto p = make();
  (void)p.json_body(R"({"value":[{"displayName":"Zoë Ferreira","department":"Finance"}]})");
  auto const out = p.json_body(
      R"({"error":{"code":"Request_ResourceNotFound","message":"Resource 'zoe@contoso.com' (Zoë Ferreira, Finance) does not exist."}})");
  CHECK(out.find("zoe@contoso.com") == std::string::npos);
  CHECK(out.find("Ferreira") == std::string::npos);
  CHECK(out.find("Finance") == std::string::npos);
  CHECK(out.find(p.address("zoe@contoso.com")) != std::string::npos);
  CHECK(out.find("Request_ResourceNotFound") != std::string::npos);
  CHECK(out.find("does not exist.") != std::string::npos);
}

TEST_CASE("a truncated or malformed body is pseudonymized as far as it goes, and free text too") {
  auto p = make();
  auto const cut = p.json_body(R"({"value":[{"id":"1","userPrincipalName":"ana.silva@contoso.co)");
  CHECK(cut.find("silva") == std::string::npos);
  CHECK(cut.find(R"("id":"1")") != std::string::npos);
  auto const broken = p.json_body(R"({"value":[{"displayName":"Ana Silva",,]")");
  CHECK(broken.find("Silva") == std::string::npos);
  auto const html = p.json_body("<html>upstream failed for ana@contoso.com at " + root + "</html>");
  CHECK(html.find("ana@contoso.com") == std::string::npos);
  CHECK(html.find("127.0.0.1") == std::string::npos);
}

TEST_CASE("the organization's displayName names the tenant and is kept") {
  auto p = make();
  auto const org = p.json_body(R"({"value":[{"id":"t-1","displayName":"Contoso Ltd"}]})",
                               scanner::pseudonymizer::body_kind::organization);
  CHECK(org.find("Contoso Ltd") != std::string::npos);
  auto const user = p.json_body(R"({"value":[{"id":"u-1","displayName":"Contoso Ltd"}]})");
  CHECK(user.find("Contoso Ltd") == std::string::npos);
}

TEST_CASE("JSON string codecs round-trip escapes, surrogate pairs and control characters") {
  using namespace scanner::capture_text;
  CHECK(decode_json_string(R"(a\"b\\c\/d\n\u00e9\ud83d\ude00)") == "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(json_string("q\"\\\n\x01\xc3\xa9") == "\"q\\\"\\\\\\n\\u0001\xc3\xa9\"");
  CHECK(decode_json_string(R"(broken \u12)") == R"(broken \u12)");
  CHECK(string_end(R"("ab\"c" x)", 0) == 6);
  CHECK(string_end(R"("abc)", 0) == std::string_view::npos);
  CHECK(percent_decode("a%20b%2Fc+d") == "a b/c+d");
  CHECK(percent_decode("broken%zz") == "broken%zz");
  CHECK(map_odata_literals("x eq 'it''s' and y eq 'b'", [](std::string_view v) { return std::string(v) + "!"; }) ==
        "x eq 'it''s!' and y eq 'b!'");
}
