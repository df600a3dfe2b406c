#include "graphsim/detail/tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using row = std::vector<std::string>;

// A strict RFC 4180 reader: CRLF record ends, quoted fields, doubled quotes.
std::vector<row> parse_csv(const std::string& text) {
  std::vector<row> rows;
  row current;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      REQUIRE(field.empty());  // quotes only open a field
      quoted = was_quoted = true;
    } else if (c == ',') {
      current.push_back(field);
      field.clear();
      was_quoted = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      current.push_back(field);
      rows.push_back(current);
      current.clear();
      field.clear();
      was_quoted = false;
      ++i;
    } else {
      REQUIRE(c != '\n');  // a bare line break must be inside quotes
      field += c;
    }
  }
  REQUIRE(current.empty());
  REQUIRE(field.empty());
  return rows;
}

std::string truth_of(const graphsim::tenant& t) {
  std::ostringstream out;
  t.write_truth_csv(out);
  return out.str();
}

const char* header =
    "tenant_id,user_id,user_principal_name,display_name,account_enabled,user_type,department,sku_id,"
    "sku_part_number,product_name,origin,confidence,evidence,assignment,group_ids,subscription_ids,owner_ids,"
    "owner_upns,owner_tenant_ids,is_trial,idp_outcome,recommended_action,group_names\r\n";

enum col {
  tenant_id,
  user_id,
  upn,
  display_name,
  account_enabled,
  user_type,
  department,
  sku_id,
  sku_part_number,
  product_name,
  origin,
  confidence,
  evidence,
  assignment,
  group_ids,
  subscription_ids,
  owner_ids,
  owner_upns,
  owner_tenant_ids,
  is_trial,
  idp_outcome,
  recommended_action
};

const std::set<std::string> finding_origins{"group_inherited",       "partner_managed", "self_service_trial",
                                            "self_service_purchase", "mixed_ownership", "self_service_signup",
                                            "unattributed"};

std::set<std::string> origins_in(const std::vector<row>& rows) {
  std::set<std::string> origins;
  for (std::size_t n = 1; n < rows.size(); ++n) origins.insert(rows[n][origin]);
  return origins;
}

}  // namespace

TEST_CASE("every origin appears in the truth of a 10-user tenant") {
  graphsim::tenant t({.users = 10, .seed = 1});
  const auto rows = parse_csv(truth_of(t));
  CHECK(origins_in(rows) == finding_origins);
}

TEST_CASE("every origin and assignment kind appears in the truth of a 1000-user tenant") {
  graphsim::tenant t({.users = 1000, .seed = 21});
  const auto rows = parse_csv(truth_of(t));
  CHECK(origins_in(rows) == finding_origins);
  std::set<std::string> assignments;
  for (std::size_t n = 1; n < rows.size(); ++n) assignments.insert(rows[n][assignment]);
  CHECK(assignments.contains("direct"));
  CHECK(assignments.contains("group"));
  CHECK(assignments.contains("unknown"));
}

TEST_CASE("the truth is the findings CSV: header, 23 columns, sorted rows, lower-case GUIDs, guarded cells") {
  graphsim::tenant t({.users = 1000, .seed = 3});
  const std::string text = truth_of(t);
  CHECK(text.starts_with(header));
  const auto rows = parse_csv(text);
  REQUIRE(rows.size() > 100);
  for (const row& r : rows) REQUIRE(r.size() == 23);
  for (std::size_t n = 2; n < rows.size(); ++n) {
    const row& a = rows[n - 1];
    const row& b = rows[n];
    CHECK(std::tie(a[upn], a[sku_part_number], a[sku_id]) < std::tie(b[upn], b[sku_part_number], b[sku_id]));
  }
  bool guarded = false;
  for (std::size_t n = 1; n < rows.size(); ++n) {
    const row& r = rows[n];
    CHECK(r[tenant_id] == t.tenant_id());
    for (int c : {user_id, sku_id}) {
      CHECK(r[c].size() == 36);
      CHECK(std::none_of(r[c].begin(), r[c].end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }));
    }
    CHECK(t.find_user(r[user_id]) == t.find_user(r[upn]));
    CHECK(r[idp_outcome].empty());
    CHECK((r[account_enabled] == "true" || r[account_enabled] == "false"));
    CHECK((r[user_type] == "Member" || r[user_type] == "Guest"));
    CHECK((r[is_trial].empty() || r[is_trial] == "true" || r[is_trial] == "false"));
    for (int c : {display_name, department}) {
      if (r[c].empty()) continue;
      CHECK(std::string("=+-@\t\r").find(r[c][0]) == std::string::npos);
      guarded = guarded || r[c][0] == '\'';
    }
    for (int c : {group_ids, subscription_ids, owner_ids, owner_upns, owner_tenant_ids}) {
      std::vector<std::string> items;
      std::stringstream list(r[c]);
      for (std::string item; std::getline(list, item, ';');) items.push_back(item);
      CHECK(std::is_sorted(items.begin(), items.end()));
      CHECK(std::adjacent_find(items.begin(), items.end()) == items.end());
    }
  }
  CHECK(guarded);
}

TEST_CASE("the special SKUs carry the facts the rules rely on") {
  graphsim::tenant t({.users = 10, .seed = 1});
  const auto rows = parse_csv(truth_of(t));
  std::map<std::string, const row*> by_part;
  for (std::size_t n = 1; n < rows.size(); ++n)
    by_part.emplace(rows[n][sku_part_number] + "/" + rows[n][origin], &rows[n]);
  // Teams Exploratory Dept: a user-started trial, its purchaser's UPN resolved.
  REQUIRE(by_part.contains("Microsoft_Teams_Exploratory_Dept/self_service_trial"));
  const row& trial = *by_part["Microsoft_Teams_Exploratory_Dept/self_service_trial"];
  CHECK(trial[sku_id] == "e0dfc8b9-9531-4ec8-94b4-9fec23b05fc8");
  CHECK(trial[is_trial] == "true");
  CHECK(trial[owner_upns] == t.user_principal_name(1));
  // A SKU Microsoft's catalogue does not know and subscribedSkus does not list: both names unknown.
  REQUIRE(by_part.contains("/unattributed"));
  CHECK(by_part["/unattributed"]->at(product_name).empty());
  // A SKU missing from subscribedSkus takes its part number from the catalogue.
  REQUIRE(by_part.contains("STANDARDPACK/unattributed"));
  CHECK(by_part["STANDARDPACK/unattributed"]->at(product_name) == "Office 365 E1");
  // Partner subscriptions name the partner tenant once, in lower case.
  REQUIRE(by_part.contains("VISIOCLIENT/partner_managed"));
  const std::string partner = by_part["VISIOCLIENT/partner_managed"]->at(owner_tenant_ids);
  CHECK(partner.size() == 36);
  CHECK(partner != t.tenant_id());
  // Power BI Pro: two purchases, one a trial, so not every subscription is a trial.
  REQUIRE(by_part.contains("POWER_BI_PRO/self_service_purchase"));
  CHECK(by_part["POWER_BI_PRO/self_service_purchase"]->at(is_trial) == "false");
}

TEST_CASE("a clean tenant has a truth with only the header") {
  for (std::uint64_t users : {0ull, 10ull, 2000ull}) {
    graphsim::tenant t({.users = users, .seed = 6, .clean = true});
    CHECK(truth_of(t) == header);
    if (users > 0) CHECK(t.count_licensed() > 0);
  }
}

TEST_CASE("a tenant without users has a truth with only the header") {
  graphsim::tenant t({.users = 0, .seed = 1});
  CHECK(truth_of(t) == header);
}

TEST_CASE("the same seed gives the same truth and the same directory") {
  graphsim::tenant a({.users = 500, .seed = 12});
  graphsim::tenant b({.users = 500, .seed = 12});
  CHECK(truth_of(a) == truth_of(b));
  auto directory = [](const graphsim::tenant& t) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    w.StartArray();
    t.write_subscribed_skus(w);
    t.write_subscriptions(w);
    t.write_organization(w);
    w.EndArray();
    return std::string(buffer.GetString());
  };
  CHECK(directory(a) == directory(b));
}

TEST_CASE("consumedUnits equal the users holding each SKU") {
  graphsim::tenant t({.users = 800, .seed = 8});
  std::map<std::string, std::uint64_t> holders;
  const std::vector<std::string> select{"assignedLicenses"};
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    t.write_user(i, select, w);
    rapidjson::Document d;
    d.Parse(buffer.GetString());
    for (auto& l : d["assignedLicenses"].GetArray()) ++holders[l["skuId"].GetString()];
  }
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  w.StartArray();
  t.write_subscribed_skus(w);
  w.EndArray();
  rapidjson::Document skus;
  skus.Parse(buffer.GetString());
  for (auto& sku : skus.GetArray()) {
    const std::string id = sku["skuId"].GetString();
    CHECK(sku["consumedUnits"].GetUint64() == holders[id]);
    CHECK(sku["id"].GetString() == t.tenant_id() + "_" + id);
  }
}
