// GET /users and friends: paging completeness, $top/$select/$count/$filter checks, single users, 404s,
// and the response headers every Graph answer carries.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

using namespace server_test;

TEST_CASE("paging with $top 1, 7 and 999 returns every user exactly once") {
  auto server = start(small_tenant(23));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto all = list_all(c, token, "/v1.0/users?$top=999&$select=id,userPrincipalName");
  REQUIRE(all.ids.size() == 23);
  CHECK(std::set<std::string>(all.ids.begin(), all.ids.end()).size() == 23);
  for (int top : {1, 7, 999}) {
    CAPTURE(top);
    auto pages = list_all(c, token, "/v1.0/users?$top=" + std::to_string(top));
    CHECK(pages.ids == all.ids);
    CHECK(pages.pages == (23 + top - 1) / top);
  }
  CHECK(list_all(c, token, "/v1.0/users").ids == all.ids);  // default page size 100
}

TEST_CASE("an empty tenant lists no users in one page") {
  auto server = start(small_tenant(0));
  client c(server->url());
  auto l = list_all(c, token_for(c, *server), "/v1.0/users?$top=5");
  CHECK(l.ids.empty());
  CHECK(l.pages == 1);
}

TEST_CASE("$top outside 1..999 is refused with Graph's page-size error") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  for (std::string top : {"0", "1000"}) {
    auto r = c.get("/v1.0/users?$top=" + top, token);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "Request_UnsupportedQuery");
    CHECK(error_message(r) == "Invalid page size specified: '" + top + "'. Must be between 1 and 999 inclusive.");
  }
}

TEST_CASE("$select of an unknown property is a 400 and of a single-user-only property on a collection a 501") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto unknown = c.get("/v1.0/users?$select=id,shoeSize", token);
  CHECK(unknown.status == 400);
  CHECK(error_code(unknown) == "Request_BadRequest");
  CHECK(error_message(unknown) == "Could not find a property named 'shoeSize' on type 'microsoft.graph.user'.");
  CHECK(c.get("/v1.0/users?$select=id,mailboxSettings", token).status == 501);
  auto selected = c.get("/v1.0/users?$select=id,assignedLicenses&$top=3", token);
  REQUIRE(selected.status == 200);
  auto doc = json(selected.body);
  CHECK(std::string(doc["@odata.context"].GetString()).find("$metadata#users(id,assignedLicenses)") !=
        std::string::npos);
  for (auto const& u : doc["value"].GetArray()) {
    CHECK(u.HasMember("assignedLicenses"));
    CHECK_FALSE(u.HasMember("displayName"));
  }
}

TEST_CASE("a user is found by id and by userPrincipalName, and an unknown one is a 404") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto l = list_all(c, token, "/v1.0/users?$select=id,userPrincipalName");
  REQUIRE_FALSE(l.ids.empty());
  auto by_id = c.get("/v1.0/users/" + l.ids[0], token);
  REQUIRE(by_id.status == 200);
  CHECK(std::string(json(by_id.body)["id"].GetString()) == l.ids[0]);
  auto by_upn = c.get("/v1.0/USERS/" + l.upns[0] + "?$select=id", token);
  REQUIRE(by_upn.status == 200);
  CHECK(std::string(json(by_upn.body)["id"].GetString()) == l.ids[0]);
  auto missing = c.get("/v1.0/users/nobody@example.com", token);
  CHECK(missing.status == 404);
  CHECK(error_code(missing) == "Request_ResourceNotFound");
  CHECK(
      error_message(missing) ==
      "Resource 'nobody@example.com' does not exist or one of its queried reference-property objects are not present.");
  auto details = c.get("/v1.0/users/" + l.ids[0] + "/licenseDetails", token);
  CHECK(details.status == 200);
  CHECK(json(details.body)["value"].IsArray());
}

TEST_CASE("$count counts with ConsistencyLevel eventual, on the first page only") {
  auto server = start(small_tenant(30));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto with = list_all(c, token, "/v1.0/users?$count=true&$top=7", {{"ConsistencyLevel", "eventual"}});
  REQUIRE(with.count);
  CHECK(*with.count == 30);
  CHECK(with.ids.size() == 30);
}

TEST_CASE("a startswith filter pages only matching users and agrees with its count") {
  auto server = start(small_tenant(60));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto all = list_all(c, token, "/v1.0/users?$select=id,userPrincipalName&$top=999");
  REQUIRE_FALSE(all.upns.empty());
  std::string const prefix = all.upns[0].substr(0, 1);
  std::size_t expected = 0;
  for (auto const& upn : all.upns)
    if (!upn.empty() &&
        std::tolower(static_cast<unsigned char>(upn[0])) == std::tolower(static_cast<unsigned char>(prefix[0])))
      ++expected;
  auto filtered =
      list_all(c, token,
               "/v1.0/users?$select=id,userPrincipalName&$top=2&$count=true&$filter=startswith(userPrincipalName,'" +
                   prefix + "')",
               {{"ConsistencyLevel", "eventual"}});
  CHECK(filtered.ids.size() == expected);
  REQUIRE(filtered.count);
  CHECK(static_cast<std::size_t>(*filtered.count) == expected);
  for (auto const& upn : filtered.upns)
    CHECK(std::tolower(static_cast<unsigned char>(upn[0])) == std::tolower(static_cast<unsigned char>(prefix[0])));
}

TEST_CASE(
    "a startswith shard halved by le and not(le) lists each of its users once, each half agreeing with its count") {
  auto server = start(small_tenant(400));
  client c(server->url());
  std::string const token = token_for(c, *server);
  header_list const eventual{{"ConsistencyLevel", "eventual"}};
  std::string const base = "/v1.0/users?$select=id,userPrincipalName&$top=7&$count=true&$filter=";
  auto whole = list_all(c, token, base + "startswith(userPrincipalName,'a')", eventual);
  REQUIRE(whole.ids.size() > 4);
  std::vector<std::string> sorted = whole.upns;
  for (auto& u : sorted)
    for (auto& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::sort(sorted.begin(), sorted.end());
  std::string const bound = sorted[sorted.size() / 2];
  auto low = list_all(
      c, token, base + "startswith(userPrincipalName,'a')%20and%20userPrincipalName%20le%20'" + bound + "'", eventual);
  auto high = list_all(c, token,
                       base + "startswith(userPrincipalName,'a')%20and%20not(userPrincipalName%20le%20'" + bound + "')",
                       eventual);
  REQUIRE(low.count);
  REQUIRE(high.count);
  CHECK(static_cast<std::size_t>(*low.count) == low.ids.size());
  CHECK(static_cast<std::size_t>(*high.count) == high.ids.size());
  CHECK(low.ids.size() == sorted.size() / 2 + 1);
  std::set<std::string> halves(low.ids.begin(), low.ids.end());
  halves.insert(high.ids.begin(), high.ids.end());
  CHECK(halves.size() == low.ids.size() + high.ids.size());  // disjoint
  CHECK(halves == std::set<std::string>(whole.ids.begin(), whole.ids.end()));
  // Like Graph's other advanced operators, le and not need $count and ConsistencyLevel: eventual.
  auto plain = c.get(
      "/v1.0/users?$select=id&$filter=startswith(userPrincipalName,'a')%20and%20userPrincipalName%20le%20'b'", token);
  CHECK(plain.status == 400);
  CHECK(error_code(plain) == "Request_UnsupportedQuery");
}

TEST_CASE("the licensed-users filter is an advanced query") {
  auto server = start(small_tenant(40));
  client c(server->url());
  std::string const token = token_for(c, *server);
  std::string const target = "/v1.0/users?$filter=assignedLicenses/$count%20ne%200&$count=true&$select=id";
  auto plain = c.get(target, token);
  CHECK(plain.status == 400);
  CHECK(error_code(plain) == "Request_UnsupportedQuery");
  auto advanced = list_all(c, token, target, {{"ConsistencyLevel", "eventual"}});
  REQUIRE(advanced.count);
  CHECK(static_cast<std::size_t>(*advanced.count) == advanced.ids.size());
}

TEST_CASE("a tampered $skiptoken is refused with Directory_ExpiredPageToken") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto first = c.get("/v1.0/users?$top=5", token);
  std::string next = target_of(json(first.body)["@odata.nextLink"].GetString());
  std::string const tampered = next.substr(0, next.size() - 3) + (next.back() == 'A' ? "BBB" : "AAA");
  auto r = c.get(tampered, token);
  CHECK(r.status == 400);
  CHECK(error_code(r) == "Directory_ExpiredPageToken");
  // The same token with another query is refused as well.
  auto other = c.get(next.replace(next.find("$top=5"), 6, "$top=6"), token);
  CHECK(other.status == 400);
}

TEST_CASE("every Graph response carries request ids, a resource-unit cost and the OData content type") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  for (std::string target : {"/v1.0/users", "/v1.0/subscribedSkus", "/v1.0/directory/subscriptions",
                             "/v1.0/organization", "/v1.0/nonsense", "/v1.0/users/x/y/z"}) {
    CAPTURE(target);
    auto r = c.get(target, token, {{"client-request-id", "abc-123"}});
    CHECK(r.status != 0);
    CHECK_FALSE(r.header("request-id").empty());
    CHECK(r.header("client-request-id") == "abc-123");
    CHECK_FALSE(r.header("x-ms-resource-unit").empty());
    CHECK(r.header("content-type").rfind("application/json;odata.metadata=minimal", 0) == 0);
    CHECK_FALSE(json(r.body).HasParseError());
  }
  CHECK(c.get("/v1.0/subscribedSkus", token).header("x-ms-resource-unit") == "3");
  CHECK(c.get("/v1.0/users?$select=id", token).header("x-ms-resource-unit") == "1");
  CHECK(c.get("/v1.0/users", token).header("x-ms-resource-unit") == "2");
  auto org = json(c.get("/v1.0/organization", token).body);
  CHECK(org["value"].Size() == 1);
  CHECK(std::string(org["value"][0]["id"].GetString()) == server->tenant_id());
  auto wrong_method = c.send("DELETE", "/v1.0/users", {{"Authorization", "Bearer " + token}});
  CHECK(wrong_method.status == 405);
  auto skus = json(c.get("/v1.0/subscribedSkus?$select=skuId,skuPartNumber", token).body);
  REQUIRE(skus["value"].IsArray());
  for (auto const& s : skus["value"].GetArray()) {
    CHECK(s.HasMember("skuId"));
    CHECK_FALSE(s.HasMember("servicePlans"));
  }
}
