// The named quirks (docs/graphsim.md, "Quirks"): what real tenants do differently from Graph's documentation,
// and the hostile behaviours, each switched on through sim_options::quirks (or apply_quirk, as `sim --quirk`).
#include "graphsim/server.hpp"
#include "server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace server_test;

namespace {

header_list const eventual{{"ConsistencyLevel", "eventual"}};

std::set<std::string> as_set(std::vector<std::string> const& ids) { return {ids.begin(), ids.end()}; }

graphsim::sim_options with_quirk(graphsim::sim_options o, std::string const& spec) {
  auto r = graphsim::apply_quirk(o, spec);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string{} : r.error().message));
  return o;
}

std::string batch_body(std::vector<std::string> const& urls) {
  std::string body = R"({"requests":[)";
  for (std::size_t i = 0; i < urls.size(); ++i)
    body += (i ? "," : "") + std::string(R"({"id":")") + std::to_string(i + 1) + R"(","method":"GET","url":")" +
            urls[i] + "\"}";
  return body + "]}";
}

// user_id → rows of a truth CSV.
std::map<std::string, std::vector<std::vector<std::string>>> truth_by_user(std::filesystem::path const& path) {
  auto rows = parse_csv(test_support::read_file(path));
  REQUIRE_FALSE(rows.empty());
  std::map<std::string, std::vector<std::vector<std::string>>> out;
  for (std::size_t r = 1; r < rows.size(); ++r) out[rows[r][1]].push_back(rows[r]);
  return out;
}

}  // namespace

TEST_CASE("quirks parse as NAME or NAME=N and anything else is a usage error") {
  graphsim::sim_options o;
  CHECK(graphsim::apply_quirk(o, "no-count").has_value());
  CHECK(graphsim::apply_quirk(o, "count-lag=3").has_value());
  CHECK(graphsim::apply_quirk(o, "no-advanced-queries").has_value());
  CHECK(graphsim::apply_quirk(o, "expired-page-token-after=2").has_value());
  CHECK(graphsim::apply_quirk(o, "users-deleted-during-scan=5").has_value());
  CHECK(o.quirks.no_count);
  CHECK(o.count_lag == 3);
  CHECK_FALSE(o.advanced_queries);
  CHECK(o.quirks.expired_page_token_after == 2);
  CHECK(o.quirks.users_deleted_during_scan == 5);
  for (std::string bad :
       {"no-such-quirk", "no-count=1", "count-lag", "count-lag=", "count-lag=x", "count-lag=0", "nextlink-loop=-1"}) {
    CAPTURE(bad);
    auto r = graphsim::apply_quirk(o, bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == base::exit_code::usage);
  }
  CHECK(graphsim::quirk_names().find("skewed-upns") != std::string::npos);
}

TEST_CASE("no-count: @odata.count is never sent, even with ConsistencyLevel: eventual") {
  auto server = start(with_quirk(small_tenant(40), "no-count"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto all = list_all(c, token, "/v1.0/users?$count=true&$top=7", eventual);
  CHECK(all.failed_status == 0);
  CHECK(all.ids.size() == 40);
  CHECK_FALSE(all.count);
  auto filtered = list_all(c, token, "/v1.0/users?$count=true&$filter=assignedLicenses/$count%20ne%200", eventual);
  CHECK(filtered.failed_status == 0);
  CHECK_FALSE(filtered.count);
  CHECK_FALSE(filtered.ids.empty());
}

TEST_CASE("no-range-filter: le, ge, lt, gt and not() on userPrincipalName are refused even as advanced queries") {
  auto plain = start(small_tenant(60));
  auto quirky = start(with_quirk(small_tenant(60), "no-range-filter"));
  std::string const base = "/v1.0/users?$select=id&$count=true&$filter=";
  for (std::string filter :
       {"startswith(userPrincipalName,'a')%20and%20userPrincipalName%20le%20'am'",
        "startswith(userPrincipalName,'a')%20and%20not(userPrincipalName%20le%20'am')", "userPrincipalName%20ge%20'm'",
        "userPrincipalName%20lt%20'm'", "userPrincipalName%20gt%20'm'", "not(startswith(userPrincipalName,'a'))"}) {
    CAPTURE(filter);
    client pc(plain->url());
    CHECK(pc.get(base + filter, token_for(pc, *plain), eventual).status == 200);
    client qc(quirky->url());
    auto r = qc.get(base + filter, token_for(qc, *quirky), eventual);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "Request_UnsupportedQuery");
    CHECK(error_message(r) ==
          "Unsupported or invalid query filter clause specified for property 'userPrincipalName' of resource 'User'.");
  }
  client qc(quirky->url());
  auto prefix = list_all(qc, token_for(qc, *quirky), base + "startswith(userPrincipalName,'a')", eventual);
  CHECK(prefix.failed_status == 0);
  REQUIRE(prefix.count);
  CHECK(static_cast<std::size_t>(*prefix.count) == prefix.ids.size());
}

TEST_CASE("count-lag=N: the unfiltered count is N behind, filtered counts are exact") {
  auto server = start(with_quirk(small_tenant(50), "count-lag=4"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto all = list_all(c, token, "/v1.0/users?$count=true&$select=id", eventual);
  REQUIRE(all.count);
  CHECK(*all.count == 46);
  CHECK(all.ids.size() == 50);
  auto a = list_all(c, token, "/v1.0/users?$count=true&$select=id&$filter=startswith(userPrincipalName,'a')", eventual);
  REQUIRE(a.count);
  CHECK(static_cast<std::size_t>(*a.count) == a.ids.size());
}

TEST_CASE("expired-page-token-after=K: a chain's page K+1 is refused, and the chain starts over from its first page") {
  auto server = start(with_quirk(small_tenant(23), "expired-page-token-after=2"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto chain = list_all(c, token, "/v1.0/users?$top=5&$select=id");
    CHECK(chain.pages == 2);
    CHECK(chain.ids.size() == 10);
    CHECK(chain.failed_status == 400);
    CHECK(chain.failed_code == "Directory_ExpiredPageToken");
  }
  // The error as Graph words it.
  auto first = json(c.get("/v1.0/users?$top=5&$select=id", token).body);
  auto second = json(c.get(target_of(first["@odata.nextLink"].GetString()), token).body);
  auto third = c.get(target_of(second["@odata.nextLink"].GetString()), token);
  CHECK(error_message(third) ==
        "The specified page token value has expired and can no longer be included in your request.");
  // A chain of K pages or fewer is untouched.
  auto short_chain = list_all(c, token, "/v1.0/users?$top=12&$select=id");
  CHECK(short_chain.failed_status == 0);
  CHECK(short_chain.ids.size() == 23);
  // Delta rounds page with skiptokens too.
  auto delta = list_all(c, token, "/v1.0/users/delta?$top=5&$select=id");
  CHECK(delta.pages == 2);
  CHECK(delta.failed_code == "Directory_ExpiredPageToken");
}

TEST_CASE("licensedetails-forbidden: licenseDetails answers 403 Authorization_RequestDenied, alone and in $batch") {
  auto server = start(with_quirk(small_tenant(20), "licensedetails-forbidden"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto users = list_all(c, token, "/v1.0/users?$select=id");
  REQUIRE(users.ids.size() == 20);
  auto r = c.get("/v1.0/users/" + users.ids[0] + "/licenseDetails", token);
  CHECK(r.status == 403);
  CHECK(error_code(r) == "Authorization_RequestDenied");
  CHECK(error_message(r) == "Insufficient privileges to complete the operation.");
  CHECK(c.get("/v1.0/users/" + users.ids[0], token).status == 200);
  auto batch =
      c.send("POST", "/v1.0/$batch", {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
             batch_body({"/users/" + users.ids[1] + "/licenseDetails", "/users/" + users.ids[1]}));
  REQUIRE(batch.status == 200);
  auto doc = json(batch.body);
  REQUIRE(doc["responses"].Size() == 2);
  CHECK(doc["responses"][0]["status"].GetUint() == 403);
  CHECK(std::string(doc["responses"][0]["body"]["error"]["code"].GetString()) == "Authorization_RequestDenied");
  CHECK(doc["responses"][1]["status"].GetUint() == 200);
}

TEST_CASE("users-deleted-during-scan=N: after the first page N users are gone from pages, lookups, counts and truth") {
  test_support::temp_dir dir;
  constexpr std::size_t users = 3'000, deleted = 5;
  auto plain_options = small_tenant(users);
  plain_options.truth_path = (dir / "plain.csv").string();
  auto quirky_options = with_quirk(small_tenant(users), "users-deleted-during-scan=5");
  quirky_options.truth_path = (dir / "quirky.csv").string();
  auto plain = start(plain_options);
  auto quirky = start(quirky_options);
  client pc(plain->url());
  client qc(quirky->url());
  std::string const ptoken = token_for(pc, *plain);
  std::string const qtoken = token_for(qc, *quirky);
  auto before = list_all(pc, ptoken, "/v1.0/users?$select=id&$top=999");
  REQUIRE(before.ids.size() == users);
  // The scan: its first page counts everyone, then the users go.
  auto scan = list_all(qc, qtoken, "/v1.0/users?$select=id&$top=999&$count=true", eventual);
  REQUIRE(scan.count);
  CHECK(*scan.count == static_cast<std::int64_t>(users));
  CHECK(scan.ids.size() == users - deleted);
  std::vector<std::string> gone;
  for (std::size_t i = 0; i < before.ids.size(); ++i)
    if (!as_set(scan.ids).contains(before.ids[i])) {
      gone.push_back(before.ids[i]);
      CHECK(i >= users / 2);  // from the upper half: never on a first page of the index order
    }
  REQUIRE(gone.size() == deleted);
  for (auto const& id : gone) {
    for (std::string const& path : {"/v1.0/users/" + id, "/v1.0/users/" + id + "/licenseDetails"}) {
      auto r = qc.get(path, qtoken);
      CHECK(r.status == 404);
      CHECK(error_code(r) == "Request_ResourceNotFound");
      CHECK(error_message(r) ==
            "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.");
    }
  }
  auto again = list_all(qc, qtoken, "/v1.0/users?$select=id&$top=999&$count=true", eventual);
  REQUIRE(again.count);
  CHECK(*again.count == static_cast<std::int64_t>(users - deleted));
  // Counts by first letter drop too: they add up to the users left.
  std::int64_t by_letter = 0;
  for (char ch = 'a'; ch <= 'z'; ++ch) {
    auto r =
        json(qc.get(std::string("/v1.0/users?$select=id&$top=1&$count=true&$filter=startswith(userPrincipalName,'") +
                        ch + "')",
                    qtoken, eventual)
                 .body);
    by_letter += r["@odata.count"].GetInt64();
  }
  CHECK(by_letter == static_cast<std::int64_t>(users - deleted));
  // Delta lists them as removed.
  auto delta = json(qc.get("/v1.0/users/delta?$select=id&$top=999", qtoken).body);
  std::string next = target_of(delta["@odata.nextLink"].GetString());
  std::set<std::string> removed;
  while (true) {
    for (auto const& item : delta["value"].GetArray())
      if (item.HasMember("@removed")) removed.insert(item["id"].GetString());
    if (!delta.HasMember("@odata.nextLink")) break;
    delta = json(qc.get(target_of(delta["@odata.nextLink"].GetString()), qtoken).body);
  }
  for (auto const& id : gone) CHECK(removed.contains(id));
  // The truth is the tenant's at the end of the scan: the plain truth without the deleted users' rows.
  auto plain_truth = truth_by_user(dir / "plain.csv");
  auto quirky_truth = truth_by_user(dir / "quirky.csv");
  for (auto const& id : gone) {
    CHECK_FALSE(quirky_truth.contains(id));
    plain_truth.erase(id);
  }
  CHECK(quirky_truth == plain_truth);
}

TEST_CASE("nextlink-loop=K (hostile): page K links back to the first page, so the chain never ends") {
  auto server = start(with_quirk(small_tenant(23), "nextlink-loop=3"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto l = list_all(c, token, "/v1.0/users?$top=5&$select=id", {}, 9);
  CHECK(l.stopped);
  CHECK(l.pages == 9);
  REQUIRE(l.ids.size() == 45);
  // Pages 4-6 are pages 1-3 again.
  CHECK(std::vector<std::string>(l.ids.begin() + 15, l.ids.begin() + 30) ==
        std::vector<std::string>(l.ids.begin(), l.ids.begin() + 15));
  auto third_link = [&] {
    auto page = json(c.get("/v1.0/users?$select=id&$top=5", token).body);
    for (int n = 1; n < 3; ++n) page = json(c.get(target_of(page["@odata.nextLink"].GetString()), token).body);
    return std::string(page["@odata.nextLink"].GetString());
  }();
  CHECK(target_of(third_link) == "/v1.0/users?$select=id&$top=5");
}

TEST_CASE("duplicate-users=K (hostile): page K repeats users served before, so an id shows twice in one listing") {
  auto server = start(with_quirk(small_tenant(23), "duplicate-users=2"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto l = list_all(c, token, "/v1.0/users?$top=5&$select=id");
  CHECK(l.failed_status == 0);
  CHECK(l.ids.size() == 26);
  CHECK(as_set(l.ids).size() == 23);
  // Page 2 is its own five users, then the listing's first three again.
  CHECK(std::vector<std::string>(l.ids.begin() + 10, l.ids.begin() + 13) ==
        std::vector<std::string>(l.ids.begin(), l.ids.begin() + 3));
}

TEST_CASE("skewed-upns: the one-character prefixes of Entra's first characters list every user exactly once") {
  test_support::temp_dir dir;
  auto options = with_quirk(small_tenant(3'000), "skewed-upns");
  options.truth_path = (dir / "truth.csv").string();
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto const everyone = list_all(c, token, "/v1.0/users?$select=id,userPrincipalName&$top=999");
  REQUIRE(everyone.ids.size() == 3'000);
  std::map<std::string, std::string> upn_of;
  for (std::size_t i = 0; i < everyone.ids.size(); ++i) upn_of[everyone.ids[i]] = everyone.upns[i];
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  // The documented first characters, each as a client puts it into a URL.
  std::string const firsts = "abcdefghijklmnopqrstuvwxyz0123456789'.-_!#^~";
  auto encoded = [](std::string const& text) {
    std::string out;
    for (char ch : text) {
      if (ch == '\'') out += "''";  // an OData literal doubles its quotes ...
      else if (ch == '#') out += "%23";
      else if (ch == '^') out += "%5E";
      else out += ch;
    }
    std::string url;
    for (char ch : out) url += ch == '\'' ? std::string("%27") : std::string(1, ch);  // ... and the URL encodes them
    return url;
  };
  std::multiset<std::string> listed;
  for (char first : firsts) {
    CAPTURE(first);
    auto shard = list_all(
        c, token,
        "/v1.0/users?$select=id,userPrincipalName&$top=999&$count=true&$filter=startswith(userPrincipalName,%27" +
            encoded(std::string(1, first)) + "%27)",
        eventual);
    CHECK(shard.failed_status == 0);
    REQUIRE(shard.count);
    CHECK(static_cast<std::size_t>(*shard.count) == shard.ids.size());
    for (auto const& upn : shard.upns) CHECK(lower(upn)[0] == first);
    listed.insert(shard.ids.begin(), shard.ids.end());
  }
  // Every user exactly once, except users whose first character is outside the set (a skewed tenant has none).
  std::multiset<std::string> expected;
  std::size_t outside = 0;
  for (auto const& [id, upn] : upn_of) {
    if (firsts.find(lower(upn)[0]) == std::string::npos) ++outside;
    else expected.insert(id);
  }
  CHECK(outside == 0);
  CHECK(listed == expected);
  // Every first character is used, and the employee numbers make 'u' the biggest shard.
  std::map<char, std::size_t> by_first;
  for (auto const& [id, upn] : upn_of) ++by_first[lower(upn)[0]];
  for (char symbol : std::string("'.-_!#^~")) CHECK(by_first[symbol] > 0);
  CHECK(std::max_element(by_first.begin(), by_first.end(), [](auto a, auto b) { return a.second < b.second; })->first ==
        'u');

  // Longer prefixes: 'u1', 'u12', a digits-only name with its '@', symbols with letters after them.
  std::string digits_name;
  for (auto const& [id, upn] : upn_of)
    if (std::isdigit(static_cast<unsigned char>(upn[0])) && upn.find('_') == std::string::npos) digits_name = upn;
  REQUIRE_FALSE(digits_name.empty());
  for (std::string prefix :
       {std::string("u1"), std::string("U12"), digits_name.substr(0, digits_name.find('@') + 1), std::string(".A"),
        std::string("~"), std::string("#"), std::string("'a"), std::string("^")}) {
    CAPTURE(prefix);
    std::set<std::string> want;
    for (auto const& [id, upn] : upn_of)
      if (lower(upn).starts_with(lower(prefix))) want.insert(id);
    auto got = list_all(
        c, token, "/v1.0/users?$select=id&$top=50&$filter=startswith(userPrincipalName,%27" + encoded(prefix) + "%27)");
    CHECK(got.failed_status == 0);
    CHECK_FALSE(want.empty());
    CHECK(as_set(got.ids) == want);
    CHECK(got.ids.size() == want.size());
  }

  // A user is found by a name with any of these characters, percent-encoded in the path as clients send it.
  std::size_t fetched = 0;
  for (auto const& [id, upn] : upn_of) {
    if (upn.find_first_of("#^'~!") == std::string::npos) continue;
    std::string path = "/v1.0/users/";
    for (char ch : upn) path += ch == '#' ? std::string("%23") : ch == '^' ? std::string("%5E") : std::string(1, ch);
    auto r = c.get(path + "?$select=id", token);
    REQUIRE(r.status == 200);
    CHECK(std::string(json(r.body)["id"].GetString()) == id);
    ++fetched;
  }
  CHECK(fetched > 100);

  // The truth names users as they are served (a name starting with '-' behind the CSV's formula guard, a
  // leading quote: docs/design.md §4.2).
  auto truth = truth_by_user(dir / "truth.csv");
  REQUIRE_FALSE(truth.empty());
  for (auto const& [id, rows] : truth) {
    std::string const upn = upn_of.at(id);
    for (auto const& row : rows) CHECK(row[2] == (upn[0] == '-' ? "'" + upn : upn));
  }
}

TEST_CASE("empty-page=K: page K holds no users but a nextLink, and the listing stays complete") {
  auto server = start(with_quirk(small_tenant(23), "empty-page=2"));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto first = json(c.get("/v1.0/users?$top=5&$select=id", token).body);
  auto second = json(c.get(target_of(first["@odata.nextLink"].GetString()), token).body);
  CHECK(second["value"].Size() == 0);
  CHECK(second.HasMember("@odata.nextLink"));
  auto l = list_all(c, token, "/v1.0/users?$top=5&$select=id");
  CHECK(l.failed_status == 0);
  CHECK(l.pages == 6);
  CHECK(l.ids.size() == 23);
  CHECK(as_set(l.ids).size() == 23);
}
