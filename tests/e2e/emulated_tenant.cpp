#include "e2e/emulated_tenant.hpp"

#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <stdexcept>

namespace e2e {

emulated_tenant::emulated_tenant(graphsim::sim_options options) {
  truth_path_ = (dir_ / "truth.csv").string();
  options.truth_path = truth_path_;
  if (options.tls && options.cert_out.empty()) options.cert_out = (dir_ / "emulator-ca.pem").string();
  auto server = graphsim::background_server::start(options);
  if (!server) throw std::runtime_error("cannot start the emulator: " + server.error().message);
  server_ = std::move(*server);
}

std::vector<std::string> emulated_tenant::env() const {
  return {"AZURE_TENANT_ID=" + server_->tenant_id(), "AZURE_CLIENT_ID=" + server_->client_id(),
          "AZURE_CLIENT_SECRET=" + server_->client_secret()};
}

std::vector<std::string> emulated_tenant::endpoint_args() const {
  std::vector<std::string> args{"--graph-endpoint", server_->url(), "--authority-host", server_->url()};
  if (!server_->ca_pem_path().empty()) {
    args.push_back("--ca-file");
    args.push_back(server_->ca_pem_path());
  }
  return args;
}

std::vector<std::string> emulated_tenant::scan_args(const std::string& db,
                                                    const std::vector<std::string>& extra) const {
  std::vector<std::string> args{"scan", "--db", db, "--progress", "never"};
  auto const endpoint = endpoint_args();
  args.insert(args.end(), endpoint.begin(), endpoint.end());
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string emulated_tenant::truth_csv() const { return test_support::read_file(truth_path_); }

std::string emulated_tenant::advance(const std::string& churn) {
  server_test::client c(server_->url(), server_->ca_pem_path());
  auto const reply = c.send("POST", churn.empty() ? "/_sim/advance" : "/_sim/advance?churn=" + churn);
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  return reply.body;
}

std::set<std::tuple<std::string, std::string, std::string, std::string>> emulated_tenant::truth() const {
  return finding_keys(test_support::read_file(truth_path_));
}

std::set<std::tuple<std::string, std::string, std::string, std::string>> finding_keys(const std::string& csv) {
  auto rows = test_support::parse_csv(csv);
  REQUIRE_FALSE(rows.empty());
  std::string header;
  for (std::size_t i = 0; i < rows[0].size(); ++i) header += (i ? "," : "") + rows[0][i];
  CHECK(header == findings_header);
  std::set<std::tuple<std::string, std::string, std::string, std::string>> keys;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    REQUIRE(rows[r].size() == 23);
    keys.emplace(rows[r][0], rows[r][1], rows[r][7], rows[r][10]);
  }
  return keys;
}

namespace {

// Graph requests in the log; with items false, less the $batch items graph_requests leaves out.
long count_graph_requests(const std::string& stats_json, bool items) {
  rapidjson::Document doc;
  doc.Parse(stats_json.c_str());
  REQUIRE(doc.IsObject());
  REQUIRE(doc.HasMember("requests"));
  long total = 0;
  for (auto const& endpoint : doc["requests"].GetObject()) {
    std::string_view const name(endpoint.name.GetString(), endpoint.name.GetStringLength());
    if (name.find("token") != std::string_view::npos || name.find("_sim") != std::string_view::npos) continue;
    // The reads ahead of the listing and the group names (GET /groups by SKU, GET /users/{id} of the subscription
    // owners, GET /groups/{id}) are items of a $batch: the emulator logs each, but the batch is the one request sent
    // (the emulated tenants' four groups never take a second page).
    if (!items &&
        (name.find("/groups") != std::string_view::npos || name.find("/users/{id}") != std::string_view::npos))
      continue;
    for (auto const& status : endpoint.value.GetObject()) total += status.value.GetInt64();
  }
  return total;
}

}  // namespace

long all_graph_requests(const std::string& stats_json) { return count_graph_requests(stats_json, true); }

long graph_requests(const std::string& stats_json) { return count_graph_requests(stats_json, false); }

}  // namespace e2e
