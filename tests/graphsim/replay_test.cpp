// `sim --replay`: a capture (docs/capture.md) written by hand here, served by the in-process server.
#include "graphsim/detail/replay_capture.hpp"
#include "graphsim/detail/replay_server.hpp"
#include "graphsim/server_client_support.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using server_test::client;
using server_test::json;

constexpr const char* graph_origin = "https://graph.capture.invalid";

struct capture_files {
  test_support::temp_dir dir;
  int seq = 0;

  capture_files() {
    fs::create_directory(dir / "bodies");
    test_support::write_file(dir / "manifest.json", R"({"format":"entra-audit-capture","format_version":1,
      "tenant_id":"tenant-of-capture","client_id":"client-of-capture","partial":false,
      "origin_placeholders":{"graph":"https://graph.capture.invalid","login":"https://login.capture.invalid"}})");
  }

  // Appends one exchange; body empty = none kept.
  void add(const std::string& method, const std::string& target, unsigned status, const std::string& body,
           const std::string& extra = R"("batch_items":null)", const std::string& service = "graph") {
    ++seq;
    std::string body_file = "null";
    if (!body.empty()) {
      body_file = "\"bodies/" + std::to_string(seq) + ".json\"";
      test_support::write_file(dir / "bodies" / (std::to_string(seq) + ".json"), body);
    }
    std::string const line = R"({"seq":)" + std::to_string(seq) + R"(,"service":")" + service + R"(","method":")" +
                             method + R"(","target":")" + target + R"(","status":)" + std::to_string(status) + "," +
                             extra + R"(,"response_headers":[["content-type","application/json"],["request-id","rid-)" +
                             std::to_string(seq) + R"("],["retry-after","0"]],"body_size":)" +
                             std::to_string(body.size()) + R"(,"body_file":)" + body_file + "}\n";
    auto const path = dir / "exchanges.ndjson";
    test_support::write_file(path, test_support::read_file(path) + line);
  }

  std::unique_ptr<graphsim::background_server> serve() {
    graphsim::sim_options o = server_test::small_tenant();
    o.replay_dir = dir.path().string();
    return server_test::start(o);
  }
};

std::string item(const std::string& id, const std::string& url) {
  return R"({"id":")" + id + R"(","method":"GET","url":")" + url + R"("})";
}

}  // namespace

TEST_CASE("a replay issues tokens to any client in the captured tenant's name, with the captured lifetime") {
  capture_files c;
  c.add("POST", "/tenant-of-capture/oauth2/v2.0/token", 200,
        R"({"token_type":"Bearer","expires_in":1234,"access_token":"<removed>"})", R"("batch_items":null)", "login");
  auto server = c.serve();
  CHECK(server->tenant_id() == "tenant-of-capture");
  CHECK(server->client_id() == "client-of-capture");
  client http(server->url());
  auto r =
      http.send("POST", "/whatever-tenant/oauth2/v2.0/token", {{"content-type", "application/x-www-form-urlencoded"}},
                "grant_type=client_credentials&client_id=x&client_secret=anything");
  REQUIRE(r.status == 200);
  auto doc = json(r.body);
  CHECK(doc["expires_in"].GetInt() == 1234);
  CHECK(std::string(doc["access_token"].GetString()).starts_with("replay-"));
}

TEST_CASE("a replay serves a target's captured attempts in order, the last one again, with links to itself") {
  capture_files c;
  c.add("GET", "/v1.0/users?$top=2", 200,
        std::string(R"({"value":[{"id":"1"}],"@odata.nextLink":")") + graph_origin +
            R"(/v1.0/users?$top=2&$skiptoken=abc"})");
  c.add("GET", "/v1.0/users?$top=2&$skiptoken=abc", 503, R"({"error":{"code":"serviceNotAvailable","message":"x"}})");
  c.add("GET", "/v1.0/users?$top=2&$skiptoken=abc", 200, R"({"value":[{"id":"2"}]})");
  auto server = c.serve();
  client http(server->url());
  auto first = http.get("/v1.0/users?$top=2", "t");
  REQUIRE(first.status == 200);
  std::string const next = json(first.body)["@odata.nextLink"].GetString();
  CHECK(next == server->url() + "/v1.0/users?$top=2&$skiptoken=abc");
  CHECK(first.header("request-id") == "rid-1");
  auto const target = server_test::target_of(next);
  CHECK(http.get(target, "t").status == 503);
  auto again = http.get(target, "t");
  CHECK(again.status == 200);
  CHECK(again.body == R"({"value":[{"id":"2"}]})");
  CHECK(http.get(target, "t").status == 200);  // the last one repeats
}

TEST_CASE("a replay matches targets percent-decoded, and any name compared with userPrincipalName le") {
  capture_files c;
  c.add("GET",
        "/v1.0/"
        "users?$filter=startswith(userPrincipalName%2C%27j%27)%20and%20userPrincipalName%20le%20%27j-1@d-2.invalid%27",
        200, R"({"value":[]})");
  auto server = c.serve();
  client http(server->url());
  CHECK(http.get("/v1.0/"
                 "users?$filter=startswith(userPrincipalName,'j')%20and%20userPrincipalName%20le%20'j-9@d-8.invalid'",
                 "t")
            .status == 200);
  CHECK(http.get("/v1.0/users?$filter=startswith(userPrincipalName,'k')", "t").status == 404);
}

TEST_CASE("a longer prefix of a captured users shard that the scan never asked for is answered empty, counted 0") {
  capture_files c;
  c.add("GET", "/v1.0/users?$top=999&$count=true&$filter=startswith(userPrincipalName%2C%27j%27)", 200,
        R"({"@odata.count":3000,"value":[]})");
  c.add("GET", "/v1.0/users?$top=999&$count=true&$filter=startswith(userPrincipalName%2C%27jo%27)", 200,
        R"({"@odata.count":3000,"value":[]})");
  auto server = c.serve();
  client http(server->url());
  // 'jq' was proven empty by 'jo''s count in the captured scan; pseudonyms made the replay's scanner ask for it.
  auto const empty = http.get("/v1.0/users?$top=999&$count=true&$filter=startswith(userPrincipalName,'jq')", "t");
  CHECK(empty.status == 200);
  CHECK(empty.body.find(R"("@odata.count":0,"value":[])") != std::string::npos);
  // Two levels below a captured shard, or beside one never split, it is a miss as any other.
  CHECK(http.get("/v1.0/users?$top=999&$count=true&$filter=startswith(userPrincipalName,'jqa')", "t").status == 404);
  CHECK(http.get("/v1.0/users?$top=999&$count=true&$filter=startswith(userPrincipalName,'kq')", "t").status == 404);
  auto const stats = server->stats_json();
  CHECK(stats.find("'jqa'") != std::string::npos);
  CHECK(stats.find("'kq'") != std::string::npos);
  CHECK(stats.find("'jq'") == std::string::npos);  // not a miss
}

TEST_CASE("the shard a longer users prefix was split from is that prefix one character shorter, quotes kept") {
  CHECK(graphsim::split_parent_key("get /v1.0/users?$filter=startswith(userPrincipalName,'ju')&$top=999") ==
        "get /v1.0/users?$filter=startswith(userPrincipalName,'j')&$top=999");
  CHECK(graphsim::split_parent_key("get /v1.0/users?$filter=startswith(userPrincipalName,'o''b')") ==
        "get /v1.0/users?$filter=startswith(userPrincipalName,'o''')");
  CHECK(graphsim::split_parent_key("get /v1.0/users?$filter=startswith(userPrincipalName,'''')") == std::nullopt);
  CHECK(graphsim::split_parent_key("get /v1.0/users?$filter=startswith(userPrincipalName,'j')") == std::nullopt);
  CHECK(graphsim::split_parent_key("get /v1.0/organization") == std::nullopt);
}

TEST_CASE("an attempt captured without an answer is replayed as a broken connection") {
  capture_files c;
  c.add("GET", "/v1.0/organization", 0, "");
  c.add("GET", "/v1.0/organization", 200, R"({"value":[{"id":"t"}]})");
  auto server = c.serve();
  client http(server->url());
  auto broken = http.get("/v1.0/organization", "t");
  CHECK((broken.error || broken.status == 0 || broken.body != "{}"));
  http.close();
  CHECK(http.get("/v1.0/organization", "t").status == 200);
}

TEST_CASE("a $batch is matched on its items: the captured batch with the same items, else item by item") {
  capture_files c;
  c.add(
      "POST", "/v1.0/$batch", 200,
      R"({"responses":[{"id":"1","status":200,"body":{"value":[1]}},{"id":"2","status":429,"headers":{"Retry-After":"1"},"body":{}}]})",
      R"("batch_items":[)" + item("1", "/users/u1/licenseDetails") + "," + item("2", "/users/u2/licenseDetails") + "]");
  c.add("POST", "/v1.0/$batch", 200, R"({"responses":[{"id":"1","status":200,"body":{"value":[2]}}]})",
        R"("batch_items":[)" + item("1", "/users/u2/licenseDetails") + "]");
  auto server = c.serve();
  client http(server->url());
  // The first batch's items, in another order under other ids.
  auto same = http.send(
      "POST", "/v1.0/$batch", {{"content-type", "application/json"}},
      R"({"requests":[)" + item("a", "/users/u2/licenseDetails") + "," + item("b", "users/u1/licenseDetails") + "]}");
  REQUIRE(same.status == 200);
  auto doc = json(same.body);
  for (auto const& r : doc["responses"].GetArray()) {
    std::string const id = r["id"].GetString();
    if (id == "b") CHECK(r["status"].GetInt() == 200);
    else CHECK((id == "a" && r["status"].GetInt() == 429));
  }
  // Items of no captured batch: each from its own captured answers (u2's next one is the 200), u3 missing.
  auto mixed = http.send(
      "POST", "/v1.0/$batch", {{"content-type", "application/json"}},
      R"({"requests":[)" + item("x", "/users/u2/licenseDetails") + "," + item("y", "/users/u3/licenseDetails") + "]}");
  REQUIRE(mixed.status == 200);
  auto assembled = json(mixed.body);
  REQUIRE(assembled["responses"].Size() == 2);
  CHECK(std::string(assembled["responses"][0]["id"].GetString()) == "x");
  CHECK(assembled["responses"][0]["status"].GetInt() == 200);
  CHECK(assembled["responses"][0]["body"]["value"][0].GetInt() == 2);
  CHECK(std::string(assembled["responses"][1]["id"].GetString()) == "y");
  CHECK(assembled["responses"][1]["status"].GetInt() == 404);
  CHECK(server->stats_json().find("/users/u3/licenseDetails (in $batch)") != std::string::npos);
}

TEST_CASE("a request the capture does not hold is 404 NotInCapture and listed among the replay's misses") {
  capture_files c;
  c.add("GET", "/v1.0/organization", 200, R"({"value":[{"id":"t"}]})");
  auto server = c.serve();
  client http(server->url());
  auto miss = http.get("/v1.0/subscribedSkus", "t");
  CHECK(miss.status == 404);
  CHECK(std::string(json(miss.body)["error"]["code"].GetString()) == "NotInCapture");
  auto stats = json(server->stats_json());
  REQUIRE(stats["misses"].Size() == 1);
  CHECK(std::string(stats["misses"][0]["request"].GetString()) == "get /v1.0/subscribedSkus");
  CHECK(stats["misses"][0]["count"].GetInt() == 1);
}

TEST_CASE("a replay refuses a directory without a capture, and bodies outside bodies/") {
  test_support::temp_dir empty;
  graphsim::sim_options o = server_test::small_tenant();
  o.replay_dir = empty.path().string();
  auto refused = graphsim::background_server::start(o);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == base::exit_code::usage);

  capture_files c;
  c.add("GET", "/v1.0/organization", 200, R"({"value":[]})");
  auto const path = c.dir / "exchanges.ndjson";
  auto text = test_support::read_file(path);
  text.replace(text.find("bodies/1.json"), 13, "../manifest.json");
  test_support::write_file(path, text);
  auto server = c.serve();
  client http(server->url());
  CHECK(http.get("/v1.0/organization", "t").status == 404);
}
