#include "crawl_harness.hpp"

#include "fixtures.hpp"
#include "graphsim/detail/tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <stdexcept>
#include <vector>

namespace scanner_test {

storage::database open_db(const test_support::temp_dir& dir) {
  auto db = storage::database::open((dir / "scan.db").string());
  REQUIRE_OK(db);
  return std::move(*db);
}

std::unique_ptr<graphsim::background_server> start_sim(const graphsim::sim_options& options) {
  auto sim = graphsim::background_server::start(options);
  if (!sim) throw std::runtime_error("cannot start the emulator: " + sim.error().message);
  return std::move(*sim);
}

scanner::scan_options options_for(const graphsim::background_server& sim, scanner::license_details_mode mode) {
  scanner::scan_options o;
  o.connection.graph_endpoint = sim.url();
  o.connection.authority_host = sim.url();
  if (!sim.ca_pem_path().empty()) o.connection.ca_file = sim.ca_pem_path();
  o.creds.tenant_id = sim.tenant_id();
  o.creds.client_id = sim.client_id();
  o.creds.secret = sim.client_secret();
  o.mode = mode;
  o.progress = scanner::progress_mode::never;
  o.tool_version = "test";
  return o;
}

served_tenant served(std::uint64_t users, std::uint64_t seed) {
  graphsim::tenant t(graphsim::tenant_config{users, seed});
  std::vector<std::string> const select{"id", "assignedLicenses"};
  served_tenant out;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    t.write_user(i, select, w);
    rapidjson::Document doc;
    doc.Parse(buffer.GetString(), buffer.GetSize());
    std::string id = doc["id"].GetString();
    for (auto& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto const& l : doc["assignedLicenses"].GetArray()) {
      std::string sku = l["skuId"].GetString();
      for (auto& c : sku) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.licenses.emplace(id, sku);
    }
    out.users.insert(std::move(id));
  }
  return out;
}

stored_snapshot stored(storage::database& db, std::int64_t scan_id) {
  stored_snapshot out;
  auto users = db.for_each_user(scan_id, [&](const storage::user_licenses& u) {
    ++out.user_rows;
    out.users.insert(u.user.id);
    for (auto const& l : u.licenses) out.licenses.emplace(l.user_id, l.sku_id);
  });
  REQUIRE_MESSAGE(users.has_value(), (users ? std::string() : users.error().message));
  auto plans = db.for_each_license_plan(scan_id, [&](const storage::license_plan_record& p) {
    out.plans.emplace(p.user_id, p.sku_id, p.service_plan_id, p.enabled);
  });
  REQUIRE_MESSAGE(plans.has_value(), (plans ? std::string() : plans.error().message));
  auto skus = db.skus(scan_id);
  REQUIRE(skus.has_value());
  for (auto const& s : *skus) out.skus_in_subscribed_skus.insert(s.sku_id);
  return out;
}

plan_set unthrottled_fetched_plans(graphsim::sim_options options) {
  options.throttle_ru = 0;
  auto sim = start_sim(options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto scan_options = options_for(*sim, scanner::license_details_mode::fetch);
  scan_options.ru_per_10s = 1'000'000;
  auto const summary = scanner::run_scan(db, scan_options);
  REQUIRE_OK(summary);
  return stored(db, summary->scan_id).plans;
}

namespace {
rapidjson::Document stats(const graphsim::background_server& sim) {
  rapidjson::Document doc;
  doc.Parse(sim.stats_json().c_str());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

std::int64_t sum_statuses(const rapidjson::Value& by_status) {
  std::int64_t n = 0;
  for (auto it = by_status.MemberBegin(); it != by_status.MemberEnd(); ++it) n += it->value.GetInt64();
  return n;
}
}  // namespace

std::int64_t graph_requests(const graphsim::background_server& sim) {
  auto const doc = stats(sim);
  std::int64_t n = 0;
  for (auto it = doc["requests"].MemberBegin(); it != doc["requests"].MemberEnd(); ++it) {
    std::string const endpoint = it->name.GetString();
    if (endpoint.find("oauth2") != std::string::npos || endpoint.find("/_sim") != std::string::npos) continue;
    // $batch items are counted on their own rows too; an envelope is one HTTP request, its items are not. The
    // licensing groups' reads (GET /groups by SKU, GET /groups/{id}) are all items here: the emulated tenants'
    // four groups never take a second page.
    if (endpoint.find("licenseDetails") != std::string::npos || endpoint.find("/groups") != std::string::npos) continue;
    n += sum_statuses(it->value);
  }
  return n;
}

std::int64_t endpoint_requests(const graphsim::background_server& sim, const std::string& endpoint) {
  auto const doc = stats(sim);
  auto const found = doc["requests"].FindMember(endpoint.c_str());
  return found == doc["requests"].MemberEnd() ? 0 : sum_statuses(found->value);
}

budget_use budget_used(const graphsim::background_server& sim) {
  auto const doc = stats(sim);
  budget_use use;
  for (auto it = doc["requests"].MemberBegin(); it != doc["requests"].MemberEnd(); ++it) {
    std::string const endpoint = it->name.GetString();
    if (endpoint.find("oauth2") != std::string::npos || endpoint.find("/_sim") != std::string::npos ||
        endpoint.find("$batch") != std::string::npos)
      continue;
    use.requests += sum_statuses(it->value);
  }
  use.throttled = doc["throttled"].GetInt64();
  use.ru_charged = doc["ru_charged"].GetInt64();
  return use;
}

}  // namespace scanner_test
