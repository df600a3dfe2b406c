#include "e2e/idp_truth.hpp"

#include "support.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

namespace e2e {

std::map<std::string, std::string> predictions(const std::string& db) {
  auto report = test_support::run_entra_audit({"report", "--db", db});
  REQUIRE(report.exit_code == 0);
  std::map<std::string, std::string> predicted;
  auto const rows = test_support::parse_csv(report.out);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    auto const& outcome = rows[r][20];
    auto& p = predicted[rows[r][1]];
    if (outcome == "removal_refused_403" || outcome == "removal_refused_400") p = "refused";
    else if (outcome == "removal_may_be_refused" && p != "refused") p = "maybe";
  }
  return predicted;
}

std::map<std::string, long> expected_counts(const std::map<std::string, std::string>& predicted,
                                            const std::string& pushes_json) {
  rapidjson::Document pushes;
  pushes.Parse(pushes_json.c_str());
  REQUIRE(pushes.IsObject());
  std::map<std::string, long> want;
  for (auto const& m : pushes.GetObject()) {
    auto const it = predicted.find(m.name.GetString());
    std::string const p = it == predicted.end() || it->second.empty() ? "unaffected" : it->second;
    unsigned const status = m.value.GetUint();
    if (status == 403 || status == 400) ++want[p == "refused" ? "hits" : p == "maybe" ? "uncertain_refused" : "misses"];
    else if (status == 200)
      ++want[p == "refused" ? "contradictions" : p == "maybe" ? "uncertain_succeeded" : "agreed_successes"];
    else ++want["other_failures"];
    ++want["users"];
  }
  return want;
}

std::map<std::string, long> calibration_counts(const std::string& db) {
  auto calibration = test_support::run_entra_audit({"report", "--db", db, "--calibration", "--format", "json"});
  INFO(calibration.err);
  REQUIRE(calibration.exit_code == 0);
  rapidjson::Document doc;
  doc.Parse(calibration.out.c_str());
  REQUIRE(doc.IsObject());
  std::map<std::string, long> got;
  for (auto const& m : doc["counts"].GetObject())
    if (m.value.GetInt64() != 0) got[m.name.GetString()] = m.value.GetInt64();
  // Not confusion counts: hits refused with the other status, and users nobody pushed.
  got.erase("status_differs");
  got.erase("predicted_not_seen");
  got["users"] = doc["users_compared"].GetInt64();
  return got;
}

}  // namespace e2e
