// A scan of 10,000 users stores every user, license, state, SKU and subscription exactly once, field for field
// as the emulator serves them.
#include "crawl_harness.hpp"
#include "fixtures.hpp"
#include "graphsim/detail/tenant.hpp"
#include "scanner/crawl.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace scanner_test;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string text(rapidjson::Value const& object, char const* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::optional<bool> flag(rapidjson::Value const& object, char const* name) {
  auto it = object.FindMember(name);
  if (it == object.MemberEnd() || it->value.IsNull()) return std::nullopt;
  return it->value.GetBool();
}

std::vector<std::string> guids(rapidjson::Value const& object, char const* name) {
  std::vector<std::string> out;
  auto it = object.FindMember(name);
  if (it != object.MemberEnd() && it->value.IsArray())
    for (auto const& v : it->value.GetArray()) out.push_back(lower(v.GetString()));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> sorted_lower(std::vector<std::string> v) {
  for (auto& s : v) s = lower(s);
  std::sort(v.begin(), v.end());
  return v;
}

// The array a tenant writer fills, parsed.
template <class Write>
rapidjson::Document collection(Write write) {
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  w.StartArray();
  write(w);
  w.EndArray();
  rapidjson::Document doc;
  doc.Parse(buffer.GetString(), buffer.GetSize());
  REQUIRE_FALSE(doc.HasParseError());
  return doc;
}

}  // namespace

TEST_CASE("a scan of 10,000 users stores every user, license, SKU and subscription once, field for field") {
  constexpr std::uint64_t users = 10'000, seed = 13;
  graphsim::sim_options sim_options;
  sim_options.users = users;
  sim_options.seed = seed;
  auto sim = start_sim(sim_options);
  test_support::temp_dir dir;
  auto db = open_db(dir);
  auto const summary = scanner::run_scan(db, options_for(*sim));
  REQUIRE_OK(summary);

  // What the emulator serves, from its own model (the same seed and size).
  graphsim::tenant tenant(graphsim::tenant_config{users, seed});
  std::vector<std::string> const select{"id",
                                        "userPrincipalName",
                                        "displayName",
                                        "mail",
                                        "userType",
                                        "accountEnabled",
                                        "usageLocation",
                                        "onPremisesSyncEnabled",
                                        "department",
                                        "createdDateTime",
                                        "creationType",
                                        "assignedLicenses",
                                        "licenseAssignmentStates"};
  std::map<std::string, std::string> served_json;  // user id → JSON of the user
  for (std::uint64_t i = 0; i < tenant.user_count(); ++i) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    tenant.write_user(i, select, w);
    rapidjson::Document doc;
    doc.Parse(buffer.GetString(), buffer.GetSize());
    served_json.emplace(lower(doc["id"].GetString()), std::string(buffer.GetString(), buffer.GetSize()));
  }

  std::set<std::string> seen;
  std::int64_t rows = 0, licenses = 0, states = 0, mismatches = 0;
  auto read = db.for_each_user(summary->scan_id, [&](storage::user_licenses const& u) {
    ++rows;
    seen.insert(u.user.id);
    auto found = served_json.find(u.user.id);
    if (found == served_json.end()) {
      ++mismatches;
      return;
    }
    rapidjson::Document doc;
    doc.Parse(found->second.c_str());
    CAPTURE(found->second);
    CHECK(u.user.user_principal_name == text(doc, "userPrincipalName"));
    CHECK(u.user.display_name == text(doc, "displayName"));
    CHECK(u.user.mail == text(doc, "mail"));
    CHECK(u.user.user_type == text(doc, "userType"));
    CHECK(u.user.account_enabled == flag(doc, "accountEnabled"));
    CHECK(u.user.usage_location == text(doc, "usageLocation"));
    CHECK(u.user.on_premises_sync_enabled == flag(doc, "onPremisesSyncEnabled"));
    CHECK(u.user.department == text(doc, "department"));
    CHECK(u.user.created_date_time == text(doc, "createdDateTime"));
    CHECK(u.user.creation_type == text(doc, "creationType"));

    // assignedLicenses: (sku, disabled plans), each exactly once.
    std::map<std::string, std::vector<std::string>> served_licenses, stored_licenses;
    for (auto const& l : doc["assignedLicenses"].GetArray())
      served_licenses[lower(l["skuId"].GetString())] = guids(l, "disabledPlans");
    for (auto const& l : u.licenses) {
      CHECK(l.user_id == u.user.id);
      CHECK(stored_licenses.emplace(l.sku_id, sorted_lower(l.disabled_plans)).second);
    }
    CHECK(stored_licenses == served_licenses);
    licenses += static_cast<std::int64_t>(u.licenses.size());

    // licenseAssignmentStates: (sku, group, state, disabled plans), as a multiset.
    std::multiset<std::string> served_states, stored_states;
    for (auto const& s : doc["licenseAssignmentStates"].GetArray())
      served_states.insert(lower(text(s, "skuId")) + "|" + lower(text(s, "assignedByGroup")) + "|" + text(s, "state") +
                           "|" + fmt::format("{}", fmt::join(guids(s, "disabledPlans"), ";")));
    for (auto const& s : u.states)
      stored_states.insert(s.sku_id + "|" + lower(s.assigned_by_group.value_or("")) + "|" + s.state + "|" +
                           fmt::format("{}", fmt::join(sorted_lower(s.disabled_plans), ";")));
    CHECK(stored_states == served_states);
    states += static_cast<std::int64_t>(u.states.size());
  });
  REQUIRE_OK(read);
  CHECK(mismatches == 0);
  CHECK(rows == static_cast<std::int64_t>(users));
  CHECK(seen.size() == users);
  CHECK(licenses > 0);
  CHECK(states > 0);

  // SKUs and subscriptions: each served item stored once, with its key fields.
  auto const served_skus = collection([&](graphsim::json_writer& w) { tenant.write_subscribed_skus(w); });
  auto const stored_skus = db.skus(summary->scan_id);
  REQUIRE_OK(stored_skus);
  std::map<std::string, std::string> skus_served, skus_stored;
  for (auto const& s : served_skus.GetArray()) skus_served[lower(text(s, "skuId"))] = text(s, "skuPartNumber");
  for (auto const& s : *stored_skus) CHECK(skus_stored.emplace(s.sku_id, s.sku_part_number).second);
  CHECK(skus_stored == skus_served);

  auto const served_subscriptions = collection([&](graphsim::json_writer& w) { tenant.write_subscriptions(w); });
  auto const stored_subscriptions = db.subscriptions(summary->scan_id);
  REQUIRE_OK(stored_subscriptions);
  std::map<std::string, std::string> subs_served, subs_stored;
  for (auto const& s : served_subscriptions.GetArray())
    subs_served[lower(text(s, "id"))] = lower(text(s, "skuId")) + "|" + text(s, "status") + "|" +
                                        lower(text(s, "ownerId")) + "|" + lower(text(s, "ownerTenantId")) + "|" +
                                        text(s, "ownerType");
  for (auto const& s : *stored_subscriptions)
    CHECK(subs_stored
              .emplace(lower(s.id), s.sku_id + "|" + s.status + "|" + lower(s.owner_id.value_or("")) + "|" +
                                        lower(s.owner_tenant_id.value_or("")) + "|" + s.owner_type.value_or(""))
              .second);
  CHECK(subs_stored == subs_served);
}
