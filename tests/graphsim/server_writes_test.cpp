// POST /users/{id}/assignLicense against the tenant's truth, /users/delta rounds, and POST /$batch.
#include "graphsim/server.hpp"
#include "server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace server_test;

namespace {

std::string bearer(std::string const& token) { return "Bearer " + token; }

reply assign(client& c, std::string const& token, std::string const& user, std::string const& body,
             bool qualified = false) {
  return c.send("POST", "/v1.0/users/" + user + (qualified ? "/microsoft.graph.assignLicense" : "/assignLicense"),
                {{"Authorization", bearer(token)}, {"Content-Type", "application/json"}}, body);
}

std::string remove_body(std::string const& sku) { return R"({"addLicenses":[],"removeLicenses":[")" + sku + R"("]})"; }

struct truth_row {
  std::string user_id;
  std::string sku_id;
  std::string origin;
};

std::vector<truth_row> read_truth(std::filesystem::path const& path) {
  auto rows = parse_csv(test_support::read_file(path));
  REQUIRE_FALSE(rows.empty());
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < rows[0].size(); ++i) column[rows[0][i]] = i;
  std::vector<truth_row> out;
  for (std::size_t r = 1; r < rows.size(); ++r)
    out.push_back({rows[r][column["user_id"]], rows[r][column["sku_id"]], rows[r][column["origin"]]});
  return out;
}

}  // namespace

TEST_CASE("assignLicense refuses removals as the tenant's truth says and applies organization ones") {
  test_support::temp_dir dir;
  auto options = small_tenant(400);
  options.truth_path = (dir / "truth.csv").string();
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto truth = read_truth(dir / "truth.csv");
  std::map<std::string, unsigned> expected_status{
      {"partner_managed", 403}, {"self_service_trial", 403}, {"self_service_purchase", 403}, {"group_inherited", 400}};
  std::set<std::string> tried;
  for (auto const& row : truth) {
    auto it = expected_status.find(row.origin);
    if (it == expected_status.end() || tried.contains(row.origin)) continue;
    tried.insert(row.origin);
    CAPTURE(row.origin);
    auto r = assign(c, token, row.user_id, remove_body(row.sku_id), tried.size() % 2 == 0);
    CHECK(r.status == it->second);
    auto doc = json(r.body);
    REQUIRE(doc.HasMember("error"));
    if (it->second == 403) CHECK(std::string(doc["error"]["code"].GetString()) == "Authorization_RequestDenied");
    if (it->second == 400)
      CHECK(std::string(doc["error"]["message"].GetString()) ==
            "User license is inherited from a group membership and it cannot be removed directly from the user.");
  }
  CHECK(tried.size() >= 2);

  // A license that is not a finding is an organization seat: removing it works and returns the user.
  std::set<std::pair<std::string, std::string>> findings;
  for (auto const& row : truth) findings.insert({row.user_id, row.sku_id});
  auto page = json(c.get("/v1.0/users?$top=999&$select=id,assignedLicenses", token).body);
  bool removed = false;
  for (auto const& u : page["value"].GetArray()) {
    std::string const id = u["id"].GetString();
    for (auto const& l : u["assignedLicenses"].GetArray()) {
      std::string const sku = l["skuId"].GetString();
      if (removed || findings.contains({id, sku})) continue;
      auto r = assign(c, token, id, remove_body(sku));
      CHECK(r.status == 200);
      auto user = json(r.body);
      REQUIRE(user.HasMember("assignedLicenses"));
      for (auto const& left : user["assignedLicenses"].GetArray()) CHECK(std::string(left["skuId"].GetString()) != sku);
      removed = true;
    }
  }
  CHECK(removed);
  auto garbage = assign(c, token, page["value"][0]["id"].GetString(), "{not json");
  CHECK(garbage.status == 400);
}

TEST_CASE("a delta round ends with a deltaLink that later returns the users changed since") {
  test_support::temp_dir dir;
  auto options = small_tenant(50);
  options.truth_path = (dir / "truth.csv").string();
  auto server = start(options);
  client c(server->url());
  std::string const token = token_for(c, *server);
  std::string target = "/v1.0/users/delta?$select=id,assignedLicenses&$top=7";
  std::set<std::string> seen;
  std::string delta_link;
  int removed = 0;
  while (!target.empty()) {
    auto r = c.get(target, token);
    REQUIRE(r.status == 200);
    auto doc = json(r.body);
    for (auto const& u : doc["value"].GetArray()) {
      seen.insert(u["id"].GetString());
      if (u.HasMember("@removed")) {
        ++removed;
        CHECK(std::string(u["@removed"]["reason"].GetString()) == "deleted");
      }
    }
    target.clear();
    if (doc.HasMember("@odata.nextLink")) target = target_of(doc["@odata.nextLink"].GetString());
    if (doc.HasMember("@odata.deltaLink")) delta_link = doc["@odata.deltaLink"].GetString();
  }
  REQUIRE_FALSE(delta_link.empty());
  CHECK(delta_link.find("$deltatoken=") != std::string::npos);
  CHECK(seen.size() == 50 + static_cast<std::size_t>(removed));

  // Nothing changed yet: the deltaLink answers an empty round.
  auto quiet = json(c.get(target_of(delta_link), token).body);
  CHECK(quiet["value"].Size() == 0);
  CHECK(quiet.HasMember("@odata.deltaLink"));

  // Add a license to one user (organization SKU from subscribedSkus), then the deltaLink lists that user.
  std::set<std::pair<std::string, std::string>> findings;
  for (auto const& row : parse_csv(test_support::read_file(dir / "truth.csv")))
    if (row.size() > 7) findings.insert({row[1], row[7]});
  auto users = json(c.get("/v1.0/users?$top=999&$select=id,assignedLicenses", token).body);
  std::string changed_user;
  for (auto const& u : users["value"].GetArray()) {
    if (!changed_user.empty()) break;
    std::string const id = u["id"].GetString();
    for (auto const& l : u["assignedLicenses"].GetArray()) {
      std::string const sku = l["skuId"].GetString();
      if (findings.contains({id, sku})) continue;
      if (assign(c, token, id, remove_body(sku)).status == 200) {
        changed_user = id;
        break;
      }
    }
  }
  REQUIRE_FALSE(changed_user.empty());
  auto after = json(c.get(target_of(delta_link), token).body);
  std::set<std::string> changed;
  for (auto const& u : after["value"].GetArray()) changed.insert(u["id"].GetString());
  CHECK(changed.contains(changed_user));
  CHECK(c.get("/v1.0/users/delta?$deltatoken=bogus", token).status == 400);
}

TEST_CASE("$batch runs each request with its own status and headers and refuses bad batches") {
  auto server = start(small_tenant(10));
  client c(server->url());
  std::string const token = token_for(c, *server);
  auto batch = [&](std::string const& body) {
    return c.send("POST", "/v1.0/$batch", {{"Authorization", bearer(token)}, {"Content-Type", "application/json"}},
                  body);
  };
  std::string requests;
  for (int i = 1; i <= 21; ++i)
    requests += (i > 1 ? "," : "") + std::string(R"({"id":")") + std::to_string(i) +
                R"(","method":"GET","url":"/users?$top=1"})";
  CHECK(batch(R"({"requests":[)" + requests + "]}").status == 400);
  CHECK(batch(R"({"requests":[{"id":"a","method":"GET","url":"/users"},{"id":"A","method":"GET","url":"/users"}]})")
            .status == 400);
  CHECK(batch("not json").status == 400);

  auto r = batch(R"({"requests":[
      {"id":"1","method":"GET","url":"/users?$top=2&$select=id"},
      {"id":"2","method":"GET","url":"users/nobody@example.com"},
      {"id":"3","method":"GET","url":"/users?$top=1000"},
      {"id":"4","method":"DELETE","url":"/users"},
      {"id":"5","method":"GET","url":"subscribedSkus"},
      {"id":"6","method":"GET","url":"/users?$count=true&$top=1","headers":{"ConsistencyLevel":"eventual"}},
      {"id":"7","method":"GET","url":"/organization","dependsOn":["2"]}]})");
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  REQUIRE_FALSE(doc.HasParseError());
  std::map<std::string, unsigned> status;
  for (auto const& item : doc["responses"].GetArray()) {
    std::string const id = item["id"].GetString();
    status[id] = item["status"].GetUint();
    CHECK(item["headers"].HasMember("x-ms-resource-unit"));
    CHECK(item["body"].IsObject());
    if (id == "1") CHECK(item["body"]["value"].Size() == 2);
    if (id == "6") CHECK(item["body"]["@odata.count"].GetInt() == 10);
  }
  CHECK(status == std::map<std::string, unsigned>{
                      {"1", 200}, {"2", 404}, {"3", 400}, {"4", 405}, {"5", 200}, {"6", 200}, {"7", 424}});
  // The envelope needs a token like any Graph request.
  CHECK(c.send("POST", "/v1.0/$batch", {{"Content-Type", "application/json"}}, R"({"requests":[]})").status == 401);
}

TEST_CASE("the clean profile serves licensed users and a truth file without findings") {
  test_support::temp_dir dir;
  auto options = small_tenant(60);
  options.profile = "clean";
  options.truth_path = (dir / "truth.csv").string();
  auto server = start(options);
  auto rows = parse_csv(test_support::read_file(dir / "truth.csv"));
  CHECK(rows.size() == 1);  // the header only
  client c(server->url());
  auto licensed = json(c.get("/v1.0/users?$filter=assignedLicenses/$count%20ne%200&$count=true&$select=id",
                             token_for(c, *server), {{"ConsistencyLevel", "eventual"}})
                           .body);
  CHECK(licensed["@odata.count"].GetInt() > 0);
}

TEST_CASE("an unknown profile is refused before anything is served") {
  auto options = small_tenant();
  options.profile = "chaotic";
  auto s = graphsim::background_server::start(options);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error().code == base::exit_code::usage);
}
