// The optional read of the licensing groups' names (docs/graph.md §17) against a server that answers its $batch
// badly on purpose: whatever comes, the scan ends, exits 0 and stores every user and finding, the names it could
// not read stay empty, one log line says why, and no secret shows.
#include "e2e/fake_tenant.hpp"

#include <doctest/doctest.h>
#include <fmt/core.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using std::chrono::steady_clock;
using test_fake::reply;
using test_support::run_entra_audit;

namespace {

const std::string secret = "group-test-secret/+=value";

// Two licensing groups (Ann's and Bob's), and Cy, whose license is assigned directly: no group read for Cy.
const std::string sales = "aaaaaaaa-0000-4000-8000-000000000001";
const std::string support = "aaaaaaaa-0000-4000-8000-000000000002";
const std::string ann = "00000000-0000-0000-0000-000000000001";
const std::string bob = "00000000-0000-0000-0000-000000000002";
const std::string cy = "00000000-0000-0000-0000-000000000003";

std::string group_name(const std::string& group) { return group == sales ? "Sales licenses" : "Support licenses"; }

std::vector<std::string> secret_env() {
  return {std::string("AZURE_TENANT_ID=") + e2e::fake_tenant_id, std::string("AZURE_CLIENT_ID=") + e2e::fake_client_id,
          "AZURE_CLIENT_SECRET=" + secret};
}

// One item of a $batch answer, less its id: `"status":…,"headers":…,"body":…` (JSON text); empty: no answer.
using item_fn = std::function<std::string(const std::string& group, int asked_before)>;

std::string item(unsigned status, const std::string& body_json, const std::string& headers_json = "{}") {
  return fmt::format(R"("status":{},"headers":{},"body":{})", status, headers_json, body_json);
}

std::string named(const std::string& group) {
  return item(200, fmt::format(R"({{"id":"{}","displayName":"{}"}})", group, group_name(group)));
}

std::string graph_error(const std::string& code) {
  return fmt::format(R"({{"error":{{"code":"{}","message":"scripted"}}}})", code);
}

// How the fake tenant answers POST /$batch: envelope, when set, as it is (the items are not read); else each item
// as item says.
struct batch_script {
  std::optional<reply> envelope;
  item_fn answer = [](const std::string& group, int) { return named(group); };
  // The read ahead of the listing (docs/graph.md §17): when set, subscribedSkus holds one SKU (ahead_sku, which
  // no user holds: the findings stay as without it) and ahead answers the requests it wants to (the read ahead's
  // $batch and the GETs of its nextLinks) before anything else does. Unset: no SKU, nothing is read ahead.
  std::function<std::optional<reply>(const test_fake::request&)> ahead = {};
};

const std::string ahead_sku = "c7df2760-2c81-4ef7-b578-5b5392b571df";

struct scan_seen {
  std::string out, err, saved;                                         // saved: the CSV report and the database file
  std::map<std::string, std::string> group_names;                      // user id -> the group_names cell of its finding
  std::map<std::string, std::string> group_ids;                        // user id -> the group_ids cell of its finding
  std::map<std::string, std::vector<steady_clock::time_point>> asked;  // group id -> when its name was asked
  steady_clock::duration took{};
};

// When each group's name was asked; the server's thread writes it while the scan runs.
struct asked_log {
  std::mutex mutex;
  std::map<std::string, std::vector<steady_clock::time_point>> times;
};

// The group ids of a $batch request, in item order (ids "1", "2", … as fetch_groups numbers them).
std::vector<std::string> batch_groups(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str());
  std::vector<std::string> out;
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("requests")) return out;
  for (auto const& r : doc["requests"].GetArray()) {
    std::string const url = r["url"].GetString();
    auto const from = url.find("/groups/");
    if (from == std::string::npos) continue;
    out.push_back(url.substr(from + 8, url.find('?') - from - 8));
  }
  return out;
}

reply answer_batch(const batch_script& script, const std::vector<std::string>& groups, asked_log& asked) {
  std::string responses;
  std::lock_guard lock(asked.mutex);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    auto& times = asked.times[groups[i]];
    auto const one = script.answer(groups[i], static_cast<int>(times.size()));
    times.push_back(steady_clock::now());
    if (one.empty()) continue;
    responses += fmt::format(R"({}{{"id":"{}",{}}})", responses.empty() ? "" : ",", i + 1, one);
  }
  if (script.envelope) return *script.envelope;
  return reply{200, R"({"responses":[)" + responses + "]}"};
}

// Scans a three-user tenant (Ann licensed by sales, Bob by support, Cy directly) whose $batch is answered as
// script says, with --timeout 1s, and reads the findings back from the CSV report.
scan_seen scan_groups(const batch_script& script) {
  auto asked = std::make_shared<asked_log>();
  e2e::fake_tenant tenant("[" + e2e::fake_user(ann, "ann@fake.test", "Ann", "Sales", sales) + "," +
                              e2e::fake_user(bob, "bob@fake.test", "Bob", "Support", support) + "," +
                              e2e::fake_user(cy, "cy@fake.test", "Cy", "Sales") + "]",
                          [script, asked](const test_fake::request& r) -> std::optional<reply> {
                            if (script.ahead) {
                              if (r.target.starts_with("/v1.0/subscribedSkus"))
                                return reply{200, fmt::format(R"({{"value":[{{"skuId":"{}","skuPartNumber":)"
                                                              R"("ENTERPRISEPREMIUM","servicePlans":[]}}]}})",
                                                              ahead_sku)};
                              if (auto answer = script.ahead(r)) return answer;
                            }
                            if (r.method != "POST" || !r.target.ends_with("$batch")) return std::nullopt;
                            return answer_batch(script, batch_groups(r.body), *asked);
                          });
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  scan_seen seen;
  auto const started = steady_clock::now();
  auto scan = run_entra_audit(tenant.scan_args(db, {"--timeout", "1s"}), secret_env(), 120);
  seen.took = steady_clock::now() - started;
  seen.out = scan.out;
  seen.err = scan.err;
  INFO("scan stderr: " << scan.err);
  REQUIRE(scan.exit_code == 0);
  auto csv = run_entra_audit({"report", "--db", db, "--format", "csv"});
  REQUIRE(csv.exit_code == 0);
  seen.saved = csv.out + test_support::read_file(dir / "a.db");
  auto const rows = test_support::parse_csv(csv.out);
  REQUIRE_FALSE(rows.empty());
  REQUIRE(rows[0][14] == "group_ids");
  REQUIRE(rows[0].back() == "group_names");
  for (std::size_t r = 1; r < rows.size(); ++r) {
    seen.group_ids[rows[r][1]] = rows[r][14];
    seen.group_names[rows[r][1]] = rows[r].back();
  }
  std::lock_guard lock(asked->mutex);
  seen.asked = asked->times;
  return seen;
}

// Every user and its finding were stored, each with the groups that license it, whatever became of their names;
// and the scan ended well before a hang would (not a performance bound).
void check_all_stored(const scan_seen& seen) {
  CHECK(seen.group_ids == std::map<std::string, std::string>{{ann, sales}, {bob, support}, {cy, ""}});
  CHECK(seen.took < std::chrono::seconds(60));
}

void check_names(const scan_seen& seen, const std::string& ann_names, const std::string& bob_names) {
  CHECK(seen.group_names == std::map<std::string, std::string>{{ann, ann_names}, {bob, bob_names}, {cy, ""}});
}

// The lines of stderr about the group read (each says "group name"), as the promise allows one at most.
std::vector<std::string> group_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.find("group name") != std::string::npos) out.push_back(line);
  return out;
}

// Exactly one line speaks of the group read, and it holds every one of says.
void check_one_line(const scan_seen& seen, const std::vector<std::string>& says) {
  auto const lines = group_lines(seen.err);
  INFO("scan stderr: " << seen.err);
  REQUIRE(lines.size() == 1);
  for (auto const& s : says) {
    CHECK_MESSAGE(lines[0].find(s) != std::string::npos, "'" << s << "' not in: " << lines[0]);
  }
}

// Neither the client secret nor the access token reaches the scan's output, its report or its database.
void check_no_secret(const scan_seen& seen) {
  for (std::string const& s : {secret, std::string("fake.access.token")}) {
    CAPTURE(s);
    CHECK(seen.out.find(s) == std::string::npos);
    CHECK(seen.err.find(s) == std::string::npos);
    CHECK(seen.saved.find(s) == std::string::npos);
  }
}

std::size_t times_asked(const scan_seen& seen, const std::string& group) {
  return seen.asked.contains(group) ? seen.asked.at(group).size() : 0;
}

// A $batch answered by act (a stall, a body without end) under --timeout 1s: every attempt times out, and the read
// gives up after the client's attempts, well before the bound check_all_stored puts on the scan.
void check_timed_out(reply::action act) {
  auto const seen = scan_groups({reply{200, R"({"responses":[)", {}, act}});
  check_all_stored(seen);
  check_names(seen, "", "");
  check_one_line(seen, {"group names not read", "/v1.0/$batch failed", "timed out"});
  check_no_secret(seen);
}

}  // namespace

TEST_CASE(
    "a $batch answered with something that is not a $batch answer leaves the group names empty, one line "
    "saying why, and the scan succeeds") {
  struct broken {
    reply envelope;
    std::string cause;
  };
  std::string const sales_item = R"({"status":200,"body":{"id":")" + sales + R"(","displayName":"Sales licenses"}})";
  for (auto const& [envelope, cause] : std::vector<broken>{
           {reply{200, R"({"responses":[{"id":"1","status":200,)"}, "cannot parse $batch response"},
           {reply{200,
                  "<html><body><form action=\"/login\">Sign in to the proxy</form></body></html>",
                  {{"Content-Type", "text/html"}}},
            "cannot parse $batch response"},
           {reply{200, R"({"responses":{"id":"1","status":200}})"}, "it has no \"responses\" array"},
           {reply{200, R"({"responses":[)" + sales_item + "]}"}, "item #1 has no id"},
       }) {
    CAPTURE(envelope.body);
    auto const seen = scan_groups({envelope});
    check_all_stored(seen);
    check_names(seen, "", "");
    check_one_line(seen, {"group names not read", "/v1.0/$batch failed", "invalid response body", cause});
    CHECK(group_lines(seen.err)[0].find("<form") == std::string::npos);  // the cause, not the page
    check_no_secret(seen);
  }
}

TEST_CASE(
    "group answers of the wrong type inside the $batch (a string body, a number for displayName) leave those "
    "names empty after the retries, one line naming both groups and why") {
  batch_script script;
  script.answer = [](const std::string& group, int) {
    return group == sales ? item(200, R"("Sales licenses")")
                          : item(200, fmt::format(R"({{"id":"{}","displayName":42}})", group));
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "", "");
  check_one_line(seen, {"group names of 2 of 2 groups not read", sales, support, "invalid body", "cannot parse a group",
                        "displayName", "after 4 attempts"});
  // docs/graph.md §17: a failing item is sent again up to three times.
  CHECK(times_asked(seen, sales) == 4);
  CHECK(times_asked(seen, support) == 4);
  check_no_secret(seen);
}

TEST_CASE("a group item answered 500, then 503, is sent again and named once it succeeds") {
  batch_script script;
  script.answer = [](const std::string& group, int asked_before) {
    if (group == sales && asked_before == 0) return item(500, graph_error("generalException"));
    if (group == sales && asked_before == 1) return item(503, graph_error("serviceNotAvailable"));
    return named(group);
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "Support licenses");
  CHECK(times_asked(seen, sales) == 3);
  CHECK(times_asked(seen, support) == 1);
  CHECK(group_lines(seen.err).empty());  // every name was read: nothing to explain
  check_no_secret(seen);
}

TEST_CASE(
    "a group item that keeps answering 503 is sent again three times, then its name stays empty, one line "
    "naming the group and the status, the other group named") {
  batch_script script;
  script.answer = [](const std::string& group, int) {
    return group == sales ? item(503, graph_error("serviceNotAvailable")) : named(group);
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "", "Support licenses");
  check_one_line(seen, {"group names of 1 of 2 groups not read", sales, "503 serviceNotAvailable after 4 attempts"});
  CHECK(group_lines(seen.err)[0].find(support) == std::string::npos);
  CHECK(times_asked(seen, sales) == 4);
  CHECK(times_asked(seen, support) == 1);
  check_no_secret(seen);
}

TEST_CASE("a group item answered 429 with Retry-After: 1 is sent again after that second and named") {
  batch_script script;
  script.answer = [](const std::string& group, int asked_before) {
    if (group == sales && asked_before == 0)
      return item(429, graph_error("TooManyRequests"), R"({"Retry-After":"1","Content-Type":"application/json"})");
    return named(group);
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "Support licenses");
  REQUIRE(times_asked(seen, sales) == 2);
  CHECK(seen.asked.at(sales)[1] - seen.asked.at(sales)[0] >= std::chrono::seconds(1));
  CHECK(group_lines(seen.err).empty());
  check_no_secret(seen);
}

TEST_CASE(
    "a group item that keeps answering 429 uses up its retries like a 5xx: its name stays empty, one line "
    "naming the group and the 429") {
  batch_script script;
  script.answer = [](const std::string& group, int) {
    return group == support ? item(429, graph_error("TooManyRequests"), R"({"retry-after":"1"})") : named(group);
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "");
  check_one_line(seen, {"group names of 1 of 2 groups not read", support, "429 TooManyRequests after 4 attempts"});
  CHECK(times_asked(seen, support) == 4);
  check_no_secret(seen);
}

TEST_CASE("a group missing from the $batch answer is sent again, and left empty with one line when it never comes") {
  batch_script script;
  script.answer = [](const std::string& group, int) { return group == sales ? std::string() : named(group); };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "", "Support licenses");
  check_one_line(seen, {"group names of 1 of 2 groups not read", sales, "no answer in the $batch after 4 attempts"});
  CHECK(times_asked(seen, sales) == 4);
  check_no_secret(seen);
}

TEST_CASE(
    "a $batch for the group names that never answers times out: the scan ends and succeeds, the names stay "
    "empty, one line says it timed out") {
  check_timed_out(reply::action::stall);
}

TEST_CASE(
    "a $batch for the group names whose body never ends times out: the scan ends and succeeds, the names stay "
    "empty, one line says it timed out") {
  check_timed_out(reply::action::endless);
}

TEST_CASE(
    "a group deleted between the listing and the read (404) leaves its name empty, the other named, one line "
    "saying it was deleted") {
  batch_script script;
  script.answer = [](const std::string& group, int) {
    return group == support ? item(404, graph_error("Request_ResourceNotFound")) : named(group);
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "");
  check_one_line(seen, {"group names of 1 of 2 groups not read", support, "404", "deleted since the listing"});
  CHECK(times_asked(seen, support) == 1);  // a deleted group is not asked again
  check_no_secret(seen);
}

namespace {

bool is_ahead_batch(const test_fake::request& r) {
  return r.method == "POST" && r.target.ends_with("$batch") && r.body.find("/groups?$filter=") != std::string::npos;
}

bool is_groups_get(const test_fake::request& r) { return r.method == "GET" && r.target.starts_with("/v1.0/groups?"); }

// A page of groups named as named() names them, with a nextLink to this server's target when next is not empty.
std::string group_page(const test_fake::request& r, const std::vector<std::string>& groups,
                       const std::string& next = "") {
  std::string items;
  for (auto const& g : groups)
    items += fmt::format(R"({}{{"id":"{}","displayName":"{}"}})", items.empty() ? "" : ",", g, group_name(g));
  std::string const link =
      next.empty() ? "" : fmt::format(R"("@odata.nextLink":"http://{}{}",)", r.headers.at("host"), next);
  return fmt::format(R"({{{}"value":[{}]}})", link, items);
}

// The read ahead's $batch answered with one item (the one SKU's first page): status and JSON body.
reply ahead_answer(unsigned status, const std::string& body_json) {
  return reply{
      200, fmt::format(R"({{"responses":[{{"id":"1","status":{},"headers":{{}},"body":{}}}]}})", status, body_json)};
}

// How many GETs of a read ahead's nextLinks the server saw (the server's thread counts while the scan runs).
struct ahead_gets {
  std::atomic<int> count{0};
};

// Lines about the read ahead (at most one, by promise).
std::vector<std::string> ahead_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);)
    if (line.find("not listed ahead") != std::string::npos) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("groups listed ahead of the users name the findings as they are made, and no group is read by id") {
  batch_script script;
  script.ahead = [](const test_fake::request& r) -> std::optional<reply> {
    if (!is_ahead_batch(r)) return std::nullopt;
    CHECK(r.body.find(ahead_sku) != std::string::npos);
    CHECK(r.body.find(R"("headers":{"ConsistencyLevel":"eventual"})") != std::string::npos);
    return ahead_answer(200, group_page(r, {sales, support}));
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "Support licenses");
  CHECK(times_asked(seen, sales) == 0);
  CHECK(times_asked(seen, support) == 0);
  CHECK(group_lines(seen.err).empty());
  CHECK(ahead_lines(seen.err).empty());
  check_no_secret(seen);
}

TEST_CASE(
    "a read ahead whose nextLink leads back to a page it read stops there, one line saying so; the group it "
    "missed is read by id") {
  auto gets = std::make_shared<ahead_gets>();
  batch_script script;
  script.ahead = [gets](const test_fake::request& r) -> std::optional<reply> {
    if (is_ahead_batch(r)) return ahead_answer(200, group_page(r, {sales}, "/v1.0/groups?$skiptoken=again"));
    if (!is_groups_get(r)) return std::nullopt;
    ++gets->count;
    return reply{200, group_page(r, {}, "/v1.0/groups?$skiptoken=again")};
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "Support licenses");
  CHECK(gets->count == 1);
  CHECK(times_asked(seen, sales) == 0);
  CHECK(times_asked(seen, support) == 1);
  auto const lines = ahead_lines(seen.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("a nextLink leads back to a page already read") != std::string::npos);
  check_no_secret(seen);
}

TEST_CASE("a read ahead that keeps paging stops after 100 pages of a SKU, and the groups it missed are read by id") {
  auto gets = std::make_shared<ahead_gets>();
  batch_script script;
  script.ahead = [gets](const test_fake::request& r) -> std::optional<reply> {
    if (is_ahead_batch(r)) return ahead_answer(200, group_page(r, {}, "/v1.0/groups?$skiptoken=1"));
    if (!is_groups_get(r)) return std::nullopt;
    int const n = ++gets->count;
    return reply{200, group_page(r, {}, fmt::format("/v1.0/groups?$skiptoken={}", n + 1))};
  };
  auto const seen = scan_groups(script);
  check_all_stored(seen);
  check_names(seen, "Sales licenses", "Support licenses");
  CHECK(gets->count == 99);  // pages 2 to 100; the first came in the $batch
  CHECK(times_asked(seen, sales) == 1);
  auto const lines = ahead_lines(seen.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("more than 100 pages") != std::string::npos);
  check_no_secret(seen);
}

TEST_CASE(
    "a read ahead refused (403), or answered with a page that is not one, gives way to the read by id: names "
    "right, one line saying why") {
  struct refusal {
    unsigned status;
    std::string body_json;
    std::string cause;
  };
  for (auto const& [status, body, cause] : std::vector<refusal>{
           {403, graph_error("Authorization_RequestDenied"), "answered 403 Authorization_RequestDenied in $batch"},
           {400, graph_error("Request_UnsupportedQuery"), "answered 400 Request_UnsupportedQuery in $batch"},
           {200, R"("<html>Sign in</html>")", "cannot parse a page of groups"},
           {200, R"({"value":[{"id":"x"}]})", "displayName is missing"},
       }) {
    CAPTURE(cause);
    batch_script script;
    script.ahead = [status, body](const test_fake::request& r) -> std::optional<reply> {
      if (is_ahead_batch(r)) return ahead_answer(status, body);
      return std::nullopt;
    };
    auto const seen = scan_groups(script);
    check_all_stored(seen);
    check_names(seen, "Sales licenses", "Support licenses");
    CHECK(times_asked(seen, sales) == 1);
    CHECK(times_asked(seen, support) == 1);
    auto const lines = ahead_lines(seen.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(cause) != std::string::npos);
    CHECK(lines[0].find("read by id after the listing") != std::string::npos);
    check_no_secret(seen);
  }
}
