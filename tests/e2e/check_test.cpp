// `entra-audit check`: the real binary against the emulator, with the application permissions given to sim.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using test_support::run_entra_audit;

namespace {

struct check_line {
  std::string check, result, detail, fix, request_id;
};

graphsim::sim_options tenant_options(std::optional<std::vector<std::string>> roles = std::nullopt) {
  graphsim::sim_options o;
  o.users = 50;
  o.roles = std::move(roles);
  return o;
}

std::vector<std::string> check_args(const e2e::emulated_tenant& tenant, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"check", "--log-format", "json"};
  auto const endpoint = tenant.endpoint_args();
  args.insert(args.end(), endpoint.begin(), endpoint.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// One JSON object per stdout line, one per check.
std::vector<check_line> parse_lines(const std::string& out) {
  std::vector<check_line> lines;
  std::size_t start = 0;
  while (start < out.size()) {
    auto const end = out.find('\n', start);
    std::string const line = out.substr(start, end - start);
    start = end == std::string::npos ? out.size() : end + 1;
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    CAPTURE(line);
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    lines.push_back({doc["check"].GetString(), doc["result"].GetString(), doc["detail"].GetString(),
                     doc["fix"].GetString(), doc["request_id"].GetString()});
  }
  return lines;
}

const check_line* find(const std::vector<check_line>& lines, const std::string& check) {
  for (auto const& l : lines)
    if (l.check == check) return &l;
  return nullptr;
}

// The line of check, which must be there.
check_line line_of(const std::vector<check_line>& lines, const std::string& check) {
  auto const* l = find(lines, check);
  REQUIRE_MESSAGE(l != nullptr, check);
  return *l;
}

// `check --log-format json` against tenant: its exit code and its lines.
std::pair<int, std::vector<check_line>> run_check(const e2e::emulated_tenant& tenant) {
  auto r = run_entra_audit(check_args(tenant), tenant.env());
  CAPTURE(r.out);
  return {r.exit_code, parse_lines(r.out)};
}

}  // namespace

TEST_CASE("check with every permission the scan needs: exit 0 and every check ok") {
  e2e::emulated_tenant tenant(tenant_options());
  for (std::string mode : {"derived", "fetch"}) {
    CAPTURE(mode);
    auto r = run_entra_audit(check_args(tenant, {"--license-details", mode}), tenant.env());
    CAPTURE(r.out);
    CAPTURE(r.err);
    CHECK(r.exit_code == 0);
    auto const lines = parse_lines(r.out);
    for (auto const& l : lines) {
      CAPTURE(l.check);
      CHECK(l.result == "ok");
      CHECK(l.fix.empty());
    }
    for (std::string name : {"login host", "Graph host", "clock", "sign-in", "token", "organization", "subscribedSkus",
                             "directory/subscriptions", "users", "users $count", "users shard", "authorizationPolicy",
                             "appsAndServices", "group names"})
      CHECK_MESSAGE(find(lines, name) != nullptr, name);
    CHECK((find(lines, "licenseDetails") != nullptr) == (mode == "fetch"));
    auto const* token = find(lines, "token");
    REQUIRE(token != nullptr);
    CHECK(token->detail.find("roles: User.Read.All, Organization.Read.All") != std::string::npos);
    auto const* org = find(lines, "organization");
    REQUIRE(org != nullptr);
    CHECK(org->detail.find(tenant.server().tenant_id()) != std::string::npos);
    CHECK(org->detail.find("default domain") != std::string::npos);
  }
}

TEST_CASE("check without a permission the scan needs: exit 1, and the fix names exactly that permission") {
  std::vector<std::string> const needed{"User.Read.All", "Organization.Read.All"};
  for (auto const& missing : needed) {
    CAPTURE(missing);
    std::vector<std::string> roles{"LicenseAssignment.ReadWrite.All"};
    for (auto const& p : needed)
      if (p != missing) roles.push_back(p);
    e2e::emulated_tenant tenant(tenant_options(roles));
    auto r = run_entra_audit(check_args(tenant), tenant.env());
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    int failed = 0;
    for (auto const& l : parse_lines(r.out)) {
      if (l.result != "FAIL") continue;
      ++failed;
      CAPTURE(l.check);
      CHECK(l.fix.find("grant the application permission " + missing + " ") != std::string::npos);
      CHECK(l.fix.find("grant admin consent: " + tenant.server().url() + "/" + tenant.server().tenant_id() +
                       "/adminconsent?client_id=" + tenant.server().client_id()) != std::string::npos);
      for (auto const& other : needed)
        if (other != missing) CHECK(l.fix.find(other) == std::string::npos);
      CHECK_FALSE(l.request_id.empty());
    }
    CHECK(failed > 0);
  }
}

TEST_CASE("check with the minimal permissions alone (User.Read.All, Organization.Read.All) passes") {
  e2e::emulated_tenant tenant(tenant_options(std::vector<std::string>{"User.Read.All", "Organization.Read.All"}));
  auto r = run_entra_audit(check_args(tenant, {"--license-details", "fetch"}), tenant.env());
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
}

TEST_CASE("check against a Graph without advanced queries warns that users are listed in one chain, exit 0") {
  auto options = tenant_options();
  options.advanced_queries = false;
  e2e::emulated_tenant tenant(options);
  auto r = run_entra_audit(check_args(tenant), tenant.env());
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  auto const lines = parse_lines(r.out);
  for (std::string name : {"users $count", "users shard"}) {
    auto const* l = find(lines, name);
    REQUIRE(l != nullptr);
    CHECK(l->result == "warn");
    CHECK(l->detail.find("one chain, ~N/999 requests in a row") != std::string::npos);
  }
}

TEST_CASE("check with a wrong secret: exit 1, the sign-in check names the AADSTS code, the secret is not shown") {
  e2e::emulated_tenant tenant(tenant_options());
  auto env = tenant.env();
  std::string const wrong = "Wr0ng-Secret-Value-xyz";
  env.back() = "AZURE_CLIENT_SECRET=" + wrong;
  auto r = run_entra_audit(check_args(tenant), env);
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  auto const lines = parse_lines(r.out);
  auto const* sign_in = find(lines, "sign-in");
  REQUIRE(sign_in != nullptr);
  CHECK(sign_in->result == "FAIL");
  CHECK(sign_in->detail.find("AADSTS7000215") != std::string::npos);
  CHECK(sign_in->fix.find("AZURE_CLIENT_SECRET") != std::string::npos);
  CHECK_FALSE(sign_in->request_id.empty());
  CHECK(find(lines, "users") == nullptr);  // nothing is probed without a token
  CHECK(r.out.find(wrong) == std::string::npos);
  CHECK(r.err.find(wrong) == std::string::npos);
}

TEST_CASE("check against endpoints nobody listens on: exit 1 at once with the network and proxy fix") {
  // Port 1 on loopback: the connection is refused, as by a host that is down.
  auto r =
      run_entra_audit({"check", "--graph-endpoint", "http://127.0.0.1:1", "--authority-host", "http://127.0.0.1:1"},
                      {"AZURE_TENANT_ID=contoso.onmicrosoft.com",
                       "AZURE_CLIENT_ID=11111111-2222-3333-4444-555555555555", "AZURE_CLIENT_SECRET=x"},
                      120);
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("FAIL") != std::string::npos);
  CHECK(r.out.find("HTTPS_PROXY") != std::string::npos);
  CHECK(r.out.find("sign-in") == std::string::npos);
}

TEST_CASE("check with bad flags or settings exits 2, like scan") {
  e2e::emulated_tenant tenant(tenant_options());
  CHECK(run_entra_audit(check_args(tenant, {"--license-details", "sometimes"}), tenant.env()).exit_code == 2);
  CHECK(run_entra_audit(check_args(tenant, {"--cloud", "mars"}), tenant.env()).exit_code == 2);
  auto no_tenant = run_entra_audit(check_args(tenant), {"AZURE_CLIENT_ID=x", "AZURE_CLIENT_SECRET=y"});
  CHECK(no_tenant.exit_code == 2);
  CHECK(no_tenant.err.find("AZURE_TENANT_ID") != std::string::npos);
  CHECK(run_entra_audit(check_args(tenant, {"--client-secret", "abc"}), tenant.env()).exit_code == 2);
}

TEST_CASE("check never creates the database, and has no --db") {
  e2e::emulated_tenant tenant(tenant_options());
  test_support::temp_dir dir;
  auto const db = dir / "audit.db";
  auto env = tenant.env();
  env.push_back("ENTRA_AUDIT_DB=" + db.string());
  auto r = run_entra_audit(check_args(tenant), env);
  CHECK(r.exit_code == 0);
  CHECK(run_entra_audit(check_args(tenant, {"--db", db.string()}), env).exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(db));
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("check prints a table on stdout by default, logs stay on stderr") {
  e2e::emulated_tenant tenant(tenant_options());
  auto args = tenant.endpoint_args();
  args.insert(args.begin(), "check");
  auto r = run_entra_audit(args, tenant.env());
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("check", 0) == 0);
  CHECK(r.out.find("users $count") != std::string::npos);
  CHECK(r.out.find("a scan will work") != std::string::npos);
  CHECK(r.out.find('{') == std::string::npos);
}

TEST_CASE("check reads the doors with the optional permissions and shows each door's state") {
  auto options = tenant_options();
  REQUIRE(graphsim::apply_door(options.doors, "signup=closed").has_value());
  REQUIRE(graphsim::apply_door(options.doors, "office-store=closed").has_value());
  e2e::emulated_tenant tenant(options);
  auto const [exit_code, lines] = run_check(tenant);
  CHECK(exit_code == 0);
  auto const policy = line_of(lines, "authorizationPolicy");
  CHECK(policy.result == "ok");
  CHECK(policy.detail == "signup closed, email_verified_join open");
  auto const apps = line_of(lines, "appsAndServices");
  CHECK(apps.result == "ok");
  CHECK(apps.detail == "trials open, office_store closed");
}

TEST_CASE("check without the optional door permissions exits 0 and names, per door read, the permission to grant") {
  e2e::emulated_tenant tenant(tenant_options(std::vector<std::string>{"User.Read.All", "Organization.Read.All"}));
  auto const [exit_code, lines] = run_check(tenant);
  CHECK(exit_code == 0);
  std::string const consent = "grant admin consent: " + tenant.server().url() + "/" + tenant.server().tenant_id() +
                              "/adminconsent?client_id=" + tenant.server().client_id();
  struct expected {
    std::string check, permission, other, doors;
  };
  for (auto const& e : {expected{"authorizationPolicy", "Policy.Read.All", "OrgSettings-AppsAndServices.Read.All",
                                 "signup and email_verified_join"},
                        expected{"appsAndServices", "OrgSettings-AppsAndServices.Read.All", "Policy.Read.All",
                                 "trials and office_store"}}) {
    CAPTURE(e.check);
    auto const l = line_of(lines, e.check);
    CHECK(l.result == "info");
    CHECK(l.detail.find("optional: Graph answered 403") != std::string::npos);
    CHECK(l.detail.find("the " + e.doors + " doors will be reported unknown") != std::string::npos);
    CHECK(l.fix.find("optional: grant the application permission " + e.permission + " ") != std::string::npos);
    CHECK(l.fix.find(consent) != std::string::npos);
    CHECK(l.fix.find(e.other) == std::string::npos);
    CHECK_FALSE(l.request_id.empty());
  }
  // The licensing groups' names, optional too.
  auto const groups = line_of(lines, "group names");
  CHECK(groups.result == "info");
  CHECK(groups.detail.find("optional: Graph answered 403") != std::string::npos);
  CHECK(groups.detail.find("group_inherited findings will name their groups by id only") != std::string::npos);
  CHECK(groups.fix.find("optional: grant the application permission GroupMember.Read.All ") != std::string::npos);
  CHECK(groups.fix.find(consent) != std::string::npos);
  for (auto const& l : lines) CHECK(l.result != "FAIL");

  // The table says the same, and that the scan will still work.
  auto args = tenant.endpoint_args();
  args.insert(args.begin(), "check");
  auto table = run_entra_audit(args, tenant.env());
  CAPTURE(table.out);
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("a scan will work; 3 optional reads unavailable (info above): a scan works without what they "
                       "would add") != std::string::npos);
}

TEST_CASE(
    "check where Graph refuses the groups' license filter says the scan names the groups by id instead: ok, exit 0") {
  auto options = tenant_options();
  options.quirks.no_group_license_filter = true;
  e2e::emulated_tenant tenant(options);
  auto const [exit_code, lines] = run_check(tenant);
  CHECK(exit_code == 0);
  auto const groups = line_of(lines, "group names");
  CHECK(groups.result == "ok");
  CHECK(groups.detail.find("400 Request_UnsupportedQuery") != std::string::npos);
  CHECK(groups.detail.find("reads each licensing group's name by id after the listing") != std::string::npos);
  CHECK(groups.fix.empty());
}

TEST_CASE("check under a national cloud without the beta appsAndServices endpoint: an info line, exit 0") {
  auto options = tenant_options();
  options.cloud = "usgov";
  e2e::emulated_tenant tenant(options);
  auto const [exit_code, lines] = run_check(tenant);
  CHECK(exit_code == 0);
  CHECK(line_of(lines, "authorizationPolicy").result == "ok");
  auto const apps = line_of(lines, "appsAndServices");
  CHECK(apps.result == "info");
  CHECK(apps.detail.find("not available (404") != std::string::npos);
  CHECK(apps.detail.find("a beta endpoint of the global cloud only") != std::string::npos);
  CHECK(apps.fix.empty());
}

TEST_CASE("check --capture records its probes, and a replay of that capture gives the same checks and exit code") {
  // Without Organization.Read.All: a check that says a scan will fail, the case a capture is for.
  e2e::emulated_tenant tenant(tenant_options(std::vector<std::string>{"User.Read.All"}));
  test_support::temp_dir dir;
  auto const capture = dir / "capture";
  auto first = run_entra_audit(check_args(tenant, {"--capture", capture.string()}), tenant.env());
  CAPTURE(first.out);
  CAPTURE(first.err);
  REQUIRE(first.exit_code == 1);
  auto const manifest = test_support::read_file(capture / "manifest.json");
  CHECK(manifest.find("\"outcome\":\"complete\"") != std::string::npos);
  CHECK(test_support::read_file(capture / "exchanges.ndjson").find("/v1.0/organization") != std::string::npos);
  for (auto const& entry : std::filesystem::recursive_directory_iterator(capture))
    if (entry.is_regular_file())
      CHECK_MESSAGE(test_support::read_file(entry.path()).find(tenant.secret()) == std::string::npos, entry.path());

  graphsim::sim_options r;
  r.replay_dir = capture.string();
  e2e::emulated_tenant replay(r);
  auto again = run_entra_audit(check_args(replay), replay.env());
  CAPTURE(again.out);
  CHECK(again.exit_code == first.exit_code);
  // The capture keeps no token (docs/capture.md), so the replay's token check cannot read roles; every other check
  // comes out the same.
  auto const results = [](const std::vector<check_line>& lines) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto const& l : lines)
      if (l.check != "token") out.emplace_back(l.check, l.result);
    return out;
  };
  auto const before = results(parse_lines(first.out));
  CHECK(before.size() > 10);
  CHECK(results(parse_lines(again.out)) == before);
  CHECK(line_of(parse_lines(again.out), "token").detail.find("not a JWT") != std::string::npos);
}
