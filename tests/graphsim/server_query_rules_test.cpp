// GET /users as Graph documents it by default (docs/graphsim.md, "Query options on /users"): which queries
// need the advanced-query parameters ($count=true and ConsistencyLevel: eventual), $count ignored without
// them, $search and $orderby, OData string literals and the percent-decoding of the query.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <string>
#include <vector>

using namespace server_test;

namespace {

header_list const eventual{{"ConsistencyLevel", "eventual"}};

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// One user as the tests judge filters on it.
struct user_row {
  std::string id, upn, display_name, mail;
  bool has_mail = false, enabled = true, licensed = false;
};

std::vector<user_row> all_users(client& c, std::string const& token) {
  std::vector<user_row> rows;
  std::string target =
      "/v1.0/users?$top=999&$select=id,userPrincipalName,displayName,mail,accountEnabled,assignedLicenses";
  while (!target.empty()) {
    auto r = c.get(target, token);
    REQUIRE(r.status == 200);
    auto doc = json(r.body);
    for (auto const& u : doc["value"].GetArray()) {
      user_row row;
      row.id = u["id"].GetString();
      row.upn = u["userPrincipalName"].GetString();
      row.display_name = u["displayName"].GetString();
      row.has_mail = u["mail"].IsString();
      if (row.has_mail) row.mail = u["mail"].GetString();
      row.enabled = u["accountEnabled"].GetBool();
      row.licensed = !u["assignedLicenses"].GetArray().Empty();
      rows.push_back(std::move(row));
    }
    target = doc.HasMember("@odata.nextLink") ? target_of(doc["@odata.nextLink"].GetString()) : "";
  }
  return rows;
}

std::set<std::string> ids_where(std::vector<user_row> const& users, std::function<bool(user_row const&)> const& keep) {
  std::set<std::string> ids;
  for (auto const& u : users)
    if (keep(u)) ids.insert(u.id);
  return ids;
}

std::set<std::string> as_set(std::vector<std::string> const& ids) { return {ids.begin(), ids.end()}; }

}  // namespace

TEST_CASE("$count without ConsistencyLevel: eventual is ignored, not refused") {
  auto server = start(small_tenant(30));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto plain = c.get("/v1.0/users?$count=true&$top=999", token);
  REQUIRE(plain.status == 200);
  auto doc = json(plain.body);
  CHECK_FALSE(doc.HasMember("@odata.count"));
  CHECK(doc["value"].Size() == 30);
  auto counted = json(c.get("/v1.0/users?$count=true&$top=999", token, eventual).body);
  REQUIRE(counted.HasMember("@odata.count"));
  CHECK(counted["@odata.count"].GetInt64() == 30);
  // The header alone asks for nothing: no count either.
  CHECK_FALSE(json(c.get("/v1.0/users?$top=5", token, eventual).body).HasMember("@odata.count"));
}

TEST_CASE("advanced-query operators are refused without both $count=true and ConsistencyLevel: eventual") {
  auto server = start(small_tenant(300));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const users = all_users(c, token);
  REQUIRE(users.size() == 300);
  struct rule {
    std::string filter, op;
    std::function<bool(user_row const&)> keep;
  };
  std::vector<rule> const rules{
      {"not(startswith(userPrincipalName,'a'))", "not", [](auto const& u) { return lower(u.upn)[0] != 'a'; }},
      {"accountEnabled%20ne%20true", "ne", [](auto const& u) { return !u.enabled; }},
      {"endswith(userPrincipalName,'7@contoso-7.onmicrosoft.com')", "endsWith",
       [](auto const& u) { return u.upn.ends_with("7@contoso-7.onmicrosoft.com"); }},
      {"assignedLicenses/$count%20eq%200", "eq", [](auto const& u) { return !u.licensed; }},
      {"assignedLicenses/$count%20ne%200", "ne", [](auto const& u) { return u.licensed; }},
      {"userPrincipalName%20le%20'm'", "le", [](auto const& u) { return lower(u.upn) <= "m"; }},
      {"userPrincipalName%20gt%20'm'", "gt", [](auto const& u) { return lower(u.upn) > "m"; }},
      {"mail%20eq%20null", "eq", [](auto const& u) { return !u.has_mail; }},
  };
  for (auto const& r : rules) {
    CAPTURE(r.filter);
    std::string const target = "/v1.0/users?$select=id&$top=999&$filter=" + r.filter;
    for (auto const& [query, headers] : std::vector<std::pair<std::string, header_list>>{
             {target, {}}, {target, eventual}, {target + "&$count=true", {}}}) {
      auto refused = c.get(query, token, headers);
      CHECK(refused.status == 400);
      CHECK(error_code(refused) == "Request_UnsupportedQuery");
      CHECK(error_message(refused) ==
            "Operator '" + r.op +
                "' is not supported because the required parameters might be missing. Try adding $count=true query "
                "parameter and ConsistencyLevel:eventual header. Refer to "
                "https://aka.ms/graph-docs/advanced-queries for more information");
    }
    auto served = list_all(c, token, target + "&$count=true", eventual);
    CHECK(served.failed_status == 0);
    auto const expected = ids_where(users, r.keep);
    CHECK_FALSE(expected.empty());
    CHECK(as_set(served.ids) == expected);
    CHECK(served.ids.size() == expected.size());
    REQUIRE(served.count);
    CHECK(static_cast<std::size_t>(*served.count) == expected.size());
  }
}

TEST_CASE("default filters work without the advanced-query parameters") {
  auto server = start(small_tenant(300));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const users = all_users(c, token);
  // Someone whose displayName starts with two ASCII letters (hostile and non-Latin names do not).
  auto const& someone = *std::find_if(users.begin() + 12, users.end(), [](auto const& u) {
    return u.display_name.size() > 2 && std::isalpha(static_cast<unsigned char>(u.display_name[0])) &&
           std::isalpha(static_cast<unsigned char>(u.display_name[1]));
  });
  struct rule {
    std::string filter;
    std::function<bool(user_row const&)> keep;
  };
  std::vector<rule> const rules{
      {"startswith(userPrincipalName,'a')", [](auto const& u) { return lower(u.upn)[0] == 'a'; }},
      {"startswith(userPrincipalName,'MA')", [](auto const& u) { return lower(u.upn).starts_with("ma"); }},
      {"accountEnabled%20eq%20false", [](auto const& u) { return !u.enabled; }},
      {"userPrincipalName%20eq%20'" + someone.upn + "'", [&](auto const& u) { return u.id == someone.id; }},
      {"id%20in%20('" + someone.id + "','" + users[3].id + "')",
       [&](auto const& u) { return u.id == someone.id || u.id == users[3].id; }},
      {"startswith(displayName,'" + someone.display_name.substr(0, 2) + "')%20or%20accountEnabled%20eq%20false",
       [&](auto const& u) {
         return lower(u.display_name).starts_with(lower(someone.display_name.substr(0, 2))) || !u.enabled;
       }},
  };
  for (auto const& r : rules) {
    CAPTURE(r.filter);
    auto served = list_all(c, token, "/v1.0/users?$select=id&$top=50&$filter=" + r.filter);
    CHECK(served.failed_status == 0);
    CHECK_FALSE(served.ids.empty());
    CHECK(as_set(served.ids) == ids_where(users, r.keep));
    CHECK(served.ids.size() == ids_where(users, r.keep).size());
  }
}

TEST_CASE(
    "unsupported filter shapes are refused with Request_UnsupportedQuery and bad syntax with Request_BadRequest") {
  auto server = start(small_tenant());
  client c(server->url());
  std::string const token = token_for(c, *server);
  for (std::string filter : {"city%20eq%20'Paris'", "startswith(id,'a')", "userPrincipalName%20eq%20null",
                             "assignedLicenses/$count%20eq%201", "endswith(displayName,'x')", "userType%20lt%20'M'"}) {
    CAPTURE(filter);
    for (auto const& headers : {header_list{}, eventual}) {
      auto r = c.get("/v1.0/users?$count=true&$filter=" + filter, token, headers);
      CHECK(r.status == 400);
      CHECK(error_code(r) == "Request_UnsupportedQuery");
    }
  }
  auto r = c.get("/v1.0/users?$filter=startswith(userPrincipalName,'a'", token);
  CHECK(r.status == 400);
  CHECK(error_code(r) == "Request_BadRequest");
  auto unknown = c.get("/v1.0/users?$filter=city%20eq%20'Paris'", token);
  CHECK(error_message(unknown) ==
        "Unsupported or invalid query filter clause specified for property 'city' of resource 'User'.");
}

TEST_CASE("$search needs ConsistencyLevel: eventual, not $count, and matches words of displayName") {
  auto server = start(small_tenant(200));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const users = all_users(c, token);
  std::string const target = "/v1.0/users?$select=id&$search=%22userPrincipalName:b%22";
  auto refused = c.get(target, token);
  CHECK(refused.status == 400);
  CHECK(error_code(refused) == "Request_UnsupportedQuery");
  CHECK(error_message(refused) ==
        "Request with $search query parameter only works through MSGraph with a special request header: "
        "'ConsistencyLevel: eventual'");
  auto by_upn = list_all(c, token, target, eventual);
  CHECK(as_set(by_upn.ids) == ids_where(users, [](auto const& u) { return lower(u.upn)[0] == 'b'; }));
  // displayName is searched by words: "Ana Silva" is found by "silva", not by "ilva".
  auto const named = std::find_if(users.begin(), users.end(), [](auto const& u) {
    auto const space = u.display_name.find(' ');
    return space != std::string::npos && space > 0 && u.display_name.size() - space > 3 &&
           std::all_of(u.display_name.begin(), u.display_name.end(),
                       [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)) || ch == ' '; });
  });
  REQUIRE(named != users.end());
  std::string const word = named->display_name.substr(named->display_name.rfind(' ') + 1);
  auto found = list_all(c, token, "/v1.0/users?$select=id&$search=%22displayName:" + word + "%22", eventual);
  CHECK(found.failed_status == 0);
  CHECK(as_set(found.ids).count(named->id) == 1);
  auto inner = list_all(c, token, "/v1.0/users?$select=id&$search=%22displayName:" + word.substr(1) + "%22", eventual);
  CHECK(inner.failed_status == 0);
  CHECK(as_set(inner.ids).count(named->id) == 0);
}

TEST_CASE("$orderby on userPrincipalName works by default, and beside $filter only as an advanced query") {
  auto server = start(small_tenant(120));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto sorted = list_all(c, token, "/v1.0/users?$select=id,userPrincipalName&$top=25&$orderby=userPrincipalName");
  REQUIRE(sorted.upns.size() == 120);
  CHECK(as_set(sorted.ids).size() == 120);
  for (std::size_t i = 1; i < sorted.upns.size(); ++i) CHECK(lower(sorted.upns[i - 1]) <= lower(sorted.upns[i]));
  auto down = list_all(c, token, "/v1.0/users?$select=id,userPrincipalName&$orderby=userPrincipalName%20desc");
  CHECK(std::vector<std::string>(down.ids.rbegin(), down.ids.rend()) == sorted.ids);
  std::string const filtered =
      "/v1.0/users?$select=id,userPrincipalName&$orderby=displayName&$filter=accountEnabled%20eq%20true";
  auto refused = c.get(filtered, token);
  CHECK(refused.status == 400);
  CHECK(error_code(refused) == "Request_UnsupportedQuery");
  CHECK(error_message(refused) == "Sorting not supported for current query.");
  auto advanced = list_all(c, token, filtered + "&$count=true", eventual);
  CHECK(advanced.failed_status == 0);
  REQUIRE(advanced.count);
  CHECK(static_cast<std::size_t>(*advanced.count) == advanced.ids.size());
  CHECK(c.get("/v1.0/users?$orderby=createdDateTime", token).status == 400);
  CHECK(c.get("/v1.0/users?$orderby=createdDateTime&$count=true", token, eventual).status == 200);
  CHECK(c.get("/v1.0/users?$orderby=jobTitle", token).status == 400);
}

TEST_CASE("$top 999 works together with $count, $filter and ConsistencyLevel: eventual") {
  auto server = start(small_tenant(2'500));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto first =
      c.get("/v1.0/users?$select=id&$top=999&$count=true&$filter=assignedLicenses/$count%20ne%200", token, eventual);
  REQUIRE(first.status == 200);
  auto doc = json(first.body);
  CHECK(doc["value"].Size() == 999);
  CHECK(doc["@odata.count"].GetInt64() > 999);
  CHECK(doc.HasMember("@odata.nextLink"));
}

TEST_CASE(
    "a startswith literal doubles its quotes, is any length, matches case-insensitively, and the query is "
    "percent-decoded") {
  auto server = start(small_tenant(200));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const users = all_users(c, token);
  auto starts = [&](std::string const& prefix) {
    return ids_where(users, [&](auto const& u) { return lower(u.upn).starts_with(lower(prefix)); });
  };
  std::string const upn = users[42].upn;
  // 'jo', 'u12', the whole local part and '@' ...: every length is a prefix.
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, upn.find('@') + 1, upn.size()}) {
    std::string const prefix = upn.substr(0, n);
    CAPTURE(prefix);
    auto l = list_all(c, token, "/v1.0/users?$select=id&$top=7&$filter=startswith(userPrincipalName,'" + prefix + "')");
    CHECK(as_set(l.ids) == starts(prefix));
    auto upper = prefix;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    CHECK(as_set(
              list_all(c, token, "/v1.0/users?$select=id&$filter=startswith(userPrincipalName,'" + upper + "')").ids) ==
          starts(prefix));
  }
  // %27%27%27%27 is '''': a literal of one quote; %2B is a '+' (in no name); '+' is a space.
  auto quote = c.get("/v1.0/users?$select=id&$filter=startswith(userPrincipalName,%27%27%27%27)", token);
  CHECK(quote.status == 200);
  CHECK(json(quote.body)["value"].Size() == 0);
  auto plus = c.get("/v1.0/users?$select=id&$filter=startswith(userPrincipalName,'a%2Bb')", token);
  CHECK(plus.status == 200);
  CHECK(json(plus.body)["value"].Size() == 0);
  auto spaces = list_all(
      c, token,
      "/v1.0/users?$select=id&$count=true&$filter=startswith(userPrincipalName,'a')+and+userPrincipalName+le+'am'",
      eventual);
  CHECK(spaces.failed_status == 0);
  CHECK(as_set(spaces.ids) ==
        ids_where(users, [](auto const& u) { return lower(u.upn)[0] == 'a' && lower(u.upn) <= "am"; }));
  for (std::string encoded : {"%23", "%5E", "%7E", "."}) {
    auto r = c.get("/v1.0/users?$select=id&$filter=startswith(userPrincipalName,'" + encoded + "')", token);
    CHECK(r.status == 200);
    CHECK(json(r.body)["value"].Size() == 0);  // the plain tenant's names start with letters only
  }
}
