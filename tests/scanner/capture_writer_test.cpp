#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "scanner/capture.hpp"
#include "scanner/detail/capture_pseudonyms.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace scanner_test;

namespace {

namespace fs = std::filesystem;

scanner::capture_settings settings_for(const fs::path& dir,
                                       std::uint64_t budget = scanner::default_capture_body_budget) {
  scanner::capture_settings s;
  s.dir = dir.string();
  s.tool_version = "test";
  s.graph_root = "http://127.0.0.1:4321";
  s.authority_host = "http://127.0.0.1:4321";
  s.tenant_id = "tenant-1";
  s.client_id = "client-1";
  s.body_budget = budget;
  return s;
}

std::vector<rapidjson::Document> exchange_lines(const fs::path& dir) {
  std::vector<rapidjson::Document> lines;
  std::ifstream in(dir / "exchanges.ndjson");
  std::string line;
  while (std::getline(in, line)) {
    lines.emplace_back();
    lines.back().Parse(line.c_str());
    REQUIRE_FALSE(lines.back().HasParseError());
  }
  return lines;
}

rapidjson::Document manifest(const fs::path& dir) {
  rapidjson::Document doc;
  doc.Parse(test_support::read_file(dir / "manifest.json").c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

scanner::observed_exchange answer(std::string url, unsigned status, std::string body) {
  scanner::observed_exchange x;
  x.method = "GET";
  x.url = "http://127.0.0.1:4321" + url;
  x.status = status;
  x.body = std::move(body);
  x.response_headers = {{"content-type", "application/json"}};
  return x;
}

}  // namespace

TEST_CASE("a capture goes into a new or empty private directory and refuses anything else with a usage error") {
  test_support::temp_dir dir;
  auto fresh = scanner::capture_writer::open(settings_for(dir / "new" / "capture"));
  REQUIRE_OK(fresh);
  struct stat st {};
  REQUIRE(::stat((dir / "new" / "capture").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(fs::exists(dir / "new" / "capture" / "manifest.json"));

  fs::create_directory(dir / "empty");
  CHECK(scanner::capture_writer::open(settings_for(dir / "empty")).has_value());

  auto again = scanner::capture_writer::open(settings_for(dir / "new" / "capture"));
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == base::exit_code::usage);
  CHECK(again.error().message.find("not empty") != std::string::npos);

  test_support::write_file(dir / "a-file", "x");
  auto under_file = scanner::capture_writer::open(settings_for(dir / "a-file" / "capture"));
  REQUIRE_FALSE(under_file.has_value());
  CHECK(under_file.error().code == base::exit_code::usage);
}

TEST_CASE(
    "past the body budget only failed answers and each endpoint's first body are kept, and the capture says "
    "it is partial") {
  test_support::temp_dir dir;
  auto opened = scanner::capture_writer::open(settings_for(dir / "c", 64));
  REQUIRE_OK(opened);
  auto& capture = **opened;
  auto const& observe = capture.observer()->on_exchange;
  std::string const page(50, ' ');
  observe(answer("/v1.0/users?$top=999", 200, "{\"value\":[]}" + page));          // first of /v1.0/users: kept
  observe(answer("/v1.0/users?$skiptoken=a", 200, "{\"value\":[]}" + page));      // over 64 bytes: not kept
  observe(answer("/v1.0/users?$skiptoken=b", 500, R"({"error":{"code":"x"}})"));  // failed: kept
  observe(answer("/v1.0/subscribedSkus", 200, "{\"value\":[]}" + page));          // first of its endpoint: kept
  capture.finish("");

  auto const lines = exchange_lines(dir / "c");
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["body_file"].IsString());
  CHECK(lines[1]["body_file"].IsNull());
  CHECK(lines[1]["body_size"].GetUint64() == 62);
  CHECK(lines[2]["body_file"].IsString());
  CHECK(lines[3]["body_file"].IsString());
  CHECK(std::string(lines[1]["target"].GetString()) == "/v1.0/users?$skiptoken=a");
  CHECK(std::string(lines[1]["origin"].GetString()) == scanner::capture_graph_origin);
  auto const m = manifest(dir / "c");
  CHECK(m["partial"].GetBool());
  CHECK(std::string(m["outcome"].GetString()) == "complete");
  CHECK(m["exchanges"].GetUint64() == 4);
  CHECK(std::string(m["format"].GetString()) == "entra-audit-capture");
}

TEST_CASE("a capture whose directory disappears stops with one warning and never throws into the scan") {
  test_support::temp_dir dir;
  auto opened = scanner::capture_writer::open(settings_for(dir / "c"));
  REQUIRE_OK(opened);
  fs::remove_all(dir / "c");
  auto const& observe = (*opened)->observer()->on_exchange;
  CHECK_NOTHROW(observe(answer("/v1.0/users", 200, R"({"value":[]})")));
  CHECK_NOTHROW(observe(answer("/v1.0/users", 200, R"({"value":[]})")));
  CHECK_NOTHROW((*opened)->finish("boom"));
}

TEST_CASE("a captured fetch scan replays in-process to the same users, licenses and plans, with no miss") {
  graphsim::sim_options sim_options;
  sim_options.users = 700;
  sim_options.seed = 3;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto first_db = open_db(dir);
  auto settings = settings_for(dir / "capture");
  settings.graph_root = sim->url();
  settings.authority_host = sim->url();
  settings.tenant_id = sim->tenant_id();
  auto capture = scanner::capture_writer::open(settings);
  REQUIRE_OK(capture);
  auto options = options_for(*sim, scanner::license_details_mode::fetch);
  options.connection.observer = (*capture)->observer();
  auto const original = scanner::run_scan(first_db, options);
  REQUIRE_OK(original);
  (*capture)->finish("");

  graphsim::sim_options replay_options;
  replay_options.replay_dir = (dir / "capture").string();
  auto replay = start_sim(replay_options);
  CHECK(replay->tenant_id() == sim->tenant_id());
  test_support::temp_dir second;
  auto second_db = open_db(second);
  auto const replayed = scanner::run_scan(second_db, options_for(*replay, scanner::license_details_mode::fetch));
  REQUIRE_OK(replayed);
  auto const a = stored(first_db, original->scan_id);
  auto const b = stored(second_db, replayed->scan_id);
  CHECK(a.users == b.users);
  CHECK(a.licenses == b.licenses);
  CHECK(a.plans == b.plans);
  CHECK_FALSE(b.plans.empty());
  CHECK(replay->stats_json().find(R"("misses":[])") != std::string::npos);
}
