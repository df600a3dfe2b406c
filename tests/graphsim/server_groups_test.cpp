// GET /groups: the licensing groups of a SKU (assignedLicenses/any filter), paged, as the scan reads them ahead of
// the users (docs/graph.md §17), and what the emulator refuses.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

using namespace server_test;

namespace {

std::string groups_of_sku(std::string const& sku) {
  return "/v1.0/groups?$filter=assignedLicenses/any(x:x/skuId%20eq%20" + sku + ")&$select=id,displayName";
}

// (skuId, group id) of every group assignment of the tenant's users, from their licenseAssignmentStates.
std::set<std::pair<std::string, std::string>> assignments(client& c, std::string const& token) {
  std::set<std::pair<std::string, std::string>> out;
  std::string target = "/v1.0/users?$top=999&$select=id,licenseAssignmentStates";
  while (!target.empty()) {
    auto r = c.get(target, token);
    REQUIRE(r.status == 200);
    auto doc = json(r.body);
    for (auto const& u : doc["value"].GetArray())
      for (auto const& s : u["licenseAssignmentStates"].GetArray())
        if (s.HasMember("assignedByGroup") && s["assignedByGroup"].IsString())
          out.emplace(s["skuId"].GetString(), s["assignedByGroup"].GetString());
    target = doc.HasMember("@odata.nextLink") ? target_of(doc["@odata.nextLink"].GetString()) : "";
  }
  return out;
}

}  // namespace

TEST_CASE(
    "GET /groups filtered by a skuId lists the groups that assign that SKU, named as GET /groups/{id} names them") {
  auto server = start(small_tenant(400));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const pairs = assignments(c, token);
  REQUIRE(pairs.size() >= 2);
  std::map<std::string, std::set<std::string>> groups_by_sku;
  for (auto const& [sku, group] : pairs) groups_by_sku[sku].insert(group);

  auto skus = json(c.get("/v1.0/subscribedSkus?$select=skuId", token).body);
  int listed_skus = 0;
  for (auto const& sku : skus["value"].GetArray()) {
    std::string const id = sku["skuId"].GetString();
    CAPTURE(id);
    auto r = c.get(groups_of_sku(id), token);
    REQUIRE(r.status == 200);
    auto page = json(r.body);
    CHECK_FALSE(page.HasMember("@odata.nextLink"));
    std::set<std::string> listed;
    for (auto const& g : page["value"].GetArray()) {
      CHECK(g.MemberCount() == 2);  // $select=id,displayName
      std::string const group = g["id"].GetString();
      listed.insert(group);
      auto one = json(c.get("/v1.0/groups/" + group + "?$select=id,displayName", token).body);
      CHECK(std::string(g["displayName"].GetString()) == one["displayName"].GetString());
    }
    // Every group that assigns the SKU to a user is listed; a SKU no group assigns lists none.
    for (auto const& group : groups_by_sku[id]) CHECK(listed.contains(group));
    if (!groups_by_sku.contains(id)) CHECK(listed.empty());
    listed_skus += listed.empty() ? 0 : 1;
  }
  CHECK(listed_skus >= 2);

  auto unknown = json(c.get(groups_of_sku("00000000-0000-0000-0000-000000000000"), token).body);
  CHECK(unknown["value"].Empty());
}

TEST_CASE("GET /groups pages with $top and counts with $count=true and ConsistencyLevel: eventual") {
  auto server = start(small_tenant(20));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const all = list_all(c, token, "/v1.0/groups?$select=id,displayName&$top=999");
  REQUIRE(all.ids.size() == 4);  // the emulated tenant's licensing groups
  auto const paged = list_all(c, token, "/v1.0/groups?$top=1&$count=true", {{"ConsistencyLevel", "eventual"}});
  CHECK(paged.ids == all.ids);
  CHECK(paged.pages == 4);
  REQUIRE(paged.count.has_value());
  CHECK(*paged.count == 4);
}

TEST_CASE("GET /groups refuses filters it does not serve, unknown properties and a tampered page token") {
  auto server = start(small_tenant(20));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto by_name = c.get("/v1.0/groups?$filter=displayName%20eq%20'Sales'", token);
  CHECK(by_name.status == 400);
  CHECK(error_code(by_name) == "Request_UnsupportedQuery");
  auto unknown = c.get("/v1.0/groups?$select=id,licenseProcessingState", token);
  CHECK(unknown.status == 400);
  CHECK(error_message(unknown).find("licenseProcessingState") != std::string::npos);
  auto tampered = c.get("/v1.0/groups?$top=1&$skiptoken=abc", token);
  CHECK(tampered.status == 400);
  CHECK(error_code(tampered) == "Directory_ExpiredPageToken");
}

TEST_CASE("the no-group-license-filter quirk refuses the assignedLicenses filter on groups with Graph's 400") {
  auto options = small_tenant(20);
  options.quirks.no_group_license_filter = true;
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto r = c.get(groups_of_sku("c7df2760-2c81-4ef7-b578-5b5392b571df"), token);
  CHECK(r.status == 400);
  CHECK(error_code(r) == "Request_UnsupportedQuery");
  CHECK(error_message(r) ==
        "Unsupported or invalid query filter clause specified for property 'assignedLicenses' of resource 'Group'.");
  CHECK(c.get("/v1.0/groups?$top=2", token).status == 200);  // the unfiltered listing still answers
}

TEST_CASE("GET /groups needs a permission that reads groups") {
  auto options = small_tenant(20);
  options.roles = std::vector<std::string>{"User.Read.All", "Organization.Read.All"};
  auto server = start(options);
  client c(server->url());
  auto r = c.get("/v1.0/groups?$top=2", token_for(c, *server));
  CHECK(r.status == 403);
  CHECK(error_code(r) == "Authorization_RequestDenied");
}
