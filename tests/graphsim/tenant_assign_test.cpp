#include "graphsim/detail/tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900";
constexpr const char* e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06";
constexpr const char* ems = "b05e124f-c7cc-45a0-a6aa-8cf78c946968";
constexpr const char* pbi_pro = "f8a1db68-be16-40ed-86d5-cb42ce701560";
constexpr const char* visio = "c5928f49-12ba-48f7-ada3-0d743a3601d5";
constexpr const char* standardpack = "18181a46-0d4e-45cd-891e-60aabd171b4e";
constexpr const char* inherited =
    "User license is inherited from a group membership and it cannot be removed directly from the user.";

struct finding {
  std::string user_id, sku_id, origin;
};

// (user_id, sku_id, origin) of every truth row; fields are simple enough to split after unquoting.
std::vector<finding> findings_of(const graphsim::tenant& t) {
  std::ostringstream out;
  t.write_truth_csv(out);
  const std::string text = out.str();
  std::vector<finding> rows;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = text.find("\r\n") + 2; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\r') {
      fields.push_back(field);
      field.clear();
      if (c == '\r') {
        ++i;
        rows.push_back({fields[1], fields[7], fields[10]});
        fields.clear();
      }
    } else {
      field += c;
    }
  }
  return rows;
}

std::string user_json(const graphsim::tenant& t, std::uint64_t i) {
  const std::vector<std::string> select{"id", "assignedLicenses", "licenseAssignmentStates"};
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  t.write_user(i, select, w);
  return buffer.GetString();
}

std::string skus_json(const graphsim::tenant& t) {
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  w.StartArray();
  t.write_subscribed_skus(w);
  w.EndArray();
  return buffer.GetString();
}

graphsim::assign_outcome remove(graphsim::tenant& t, std::uint64_t user, std::vector<std::string> skus) {
  return t.assign_license(user, {}, skus);
}

std::uint64_t consumed(const graphsim::tenant& t, const std::string& sku_id) {
  rapidjson::Document d;
  d.Parse(skus_json(t).c_str());
  for (auto& sku : d.GetArray())
    if (sku_id == sku["skuId"].GetString()) return sku["consumedUnits"].GetUint64();
  return 0;
}

}  // namespace

TEST_CASE("removing a finding's license is answered as its origin says") {
  graphsim::tenant t({.users = 1000, .seed = 21});
  graphsim::tenant twin({.users = 1000, .seed = 21});
  std::set<unsigned> mixed_answers;
  for (const finding& f : findings_of(t)) {
    const std::uint64_t user = *t.find_user(f.user_id);
    const graphsim::assign_outcome out = remove(t, user, {f.sku_id});
    CAPTURE(f.origin);
    if (f.origin == "group_inherited") {
      CHECK(out.status == 400);
      CHECK(out.code == "Request_BadRequest");
      CHECK(out.message == inherited);
    } else if (f.origin == "partner_managed" || f.origin == "self_service_trial" ||
               f.origin == "self_service_purchase") {
      CHECK(out.status == 403);
      CHECK(out.code == "Authorization_RequestDenied");
      CHECK(out.message == "Insufficient privileges to complete the operation.");
    } else {
      // May be refused: the emulator decides deterministically.
      CHECK((out.status == 200 || (out.status == 403 && out.code == "Authorization_RequestDenied")));
      CHECK(remove(twin, user, {f.sku_id}).status == out.status);
      if (f.origin == "mixed_ownership") mixed_answers.insert(out.status);
    }
  }
  CHECK(mixed_answers == std::set<unsigned>{200, 403});
}

TEST_CASE("removing an organization license succeeds and is recorded") {
  graphsim::tenant t({.users = 10, .seed = 1});
  const std::uint64_t before_seats = consumed(t, e3);
  const std::uint64_t v = t.version();
  const std::string truth_before = [&] {
    std::ostringstream o;
    t.write_truth_csv(o);
    return o.str();
  }();
  const auto out = remove(t, 0, {e3});
  CHECK(out.status == 200);
  CHECK(t.version() == v + 1);
  CHECK(t.changed_since(v) == std::vector<std::uint64_t>{0});
  CHECK(t.changed_since(t.version()).empty());
  CHECK(consumed(t, e3) == before_seats - 1);
  CHECK(user_json(t, 0).find(e3) == std::string::npos);
  std::ostringstream truth_after;
  t.write_truth_csv(truth_after);
  CHECK(truth_after.str() == truth_before);  // the E3 license was no finding
  CHECK(remove(t, 0, {e3}).status == 400);   // already gone
}

TEST_CASE("a refused request changes nothing, even when other removals in it would succeed") {
  graphsim::tenant t({.users = 10, .seed = 1});
  const std::string user_before = user_json(t, 0);
  const std::string skus_before = skus_json(t);
  const auto out = remove(t, 0, {e3, pbi_pro});
  CHECK(out.status == 403);
  CHECK(user_json(t, 0) == user_before);
  CHECK(skus_json(t) == skus_before);
  CHECK(t.version() == 0);
  CHECK(t.changed_since(0).empty());
  const std::vector<graphsim::license_to_add> add{{e5, {}}};
  CHECK(t.assign_license(0, add, std::vector<std::string>{pbi_pro}).status == 403);
  CHECK(user_json(t, 0) == user_before);
}

TEST_CASE("the first refused removal in request order decides the answer") {
  graphsim::tenant t({.users = 10, .seed = 1});
  // User 9 inherits EMS from a group (400) and holds a partner's Visio seat (403).
  CHECK(remove(t, 9, {ems, visio}).status == 400);
  CHECK(remove(t, 9, {visio, ems}).status == 403);
  CHECK(t.version() == 0);
}

TEST_CASE("removing a direct+group license removes the direct assignment and keeps the group's") {
  graphsim::tenant t({.users = 10, .seed = 1});
  // User 8 holds E5 directly and through a group.
  const auto out = remove(t, 8, {e5});
  CHECK(out.status == 200);
  rapidjson::Document d;
  d.Parse(user_json(t, 8).c_str());
  bool holds = false;
  for (auto& l : d["assignedLicenses"].GetArray()) holds = holds || std::string(l["skuId"].GetString()) == e5;
  CHECK(holds);
  int states = 0;
  for (auto& s : d["licenseAssignmentStates"].GetArray()) {
    if (std::string(s["skuId"].GetString()) != e5) continue;
    ++states;
    CHECK(s["assignedByGroup"].IsString());
  }
  CHECK(states == 1);
  // Now it is group-inherited only: a second removal is refused with 400.
  CHECK(remove(t, 8, {e5}).status == 400);
  bool found = false;
  for (const finding& f : findings_of(t))
    found = found || (f.sku_id == e5 && f.origin == "group_inherited" && *t.find_user(f.user_id) == 8);
  CHECK(found);
}

TEST_CASE("adding a SKU the tenant has no pool for is refused with 400") {
  graphsim::tenant t({.users = 10, .seed = 1});
  const std::string unknown = "00000000-1111-4222-8333-444444444444";
  std::vector<graphsim::license_to_add> add{{unknown, {}}};
  auto out = t.assign_license(11 % t.user_count(), add, {});
  CHECK(out.status == 400);
  CHECK(out.code == "Request_BadRequest");
  CHECK(out.message == "License " + unknown + " does not correspond to a valid company License.");
  add = {{standardpack, {}}};  // assigned to some users, but not in subscribedSkus
  CHECK(t.assign_license(0, add, {}).status == 400);
  CHECK(t.version() == 0);
}

TEST_CASE("removing a SKU the user does not hold is refused with 400") {
  graphsim::tenant t({.users = 10, .seed = 1});
  auto out = remove(t, 7, {e3});  // user 7 is an unlicensed guest
  CHECK(out.status == 400);
  CHECK(out.code == "Request_BadRequest");
  CHECK(out.message == "User does not have a corresponding license.");
  CHECK(remove(t, 7, {"not-a-guid"}).status == 400);
  CHECK(t.assign_license(7, {}, {}).status == 400);  // nothing to do
}

TEST_CASE("adding a license assigns it directly, with its disabled plans, and counts the seat") {
  graphsim::tenant t({.users = 12, .seed = 1});
  REQUIRE_FALSE(t.has_licenses(11));
  const std::uint64_t licensed = t.count_licensed();
  const std::uint64_t seats = consumed(t, e3);
  const std::string plan = "57ff2da0-773e-42df-b2af-ffb7a2317929";  // TEAMS1, a plan of ENTERPRISEPACK
  std::vector<graphsim::license_to_add> add{{e3, {plan}}};
  CHECK(t.assign_license(11, add, {}).status == 200);
  CHECK(t.has_licenses(11));
  CHECK(t.count_licensed() == licensed + 1);
  CHECK(consumed(t, e3) == seats + 1);
  rapidjson::Document d;
  d.Parse(user_json(t, 11).c_str());
  REQUIRE(d["assignedLicenses"].Size() == 1);
  CHECK(std::string(d["assignedLicenses"][0]["disabledPlans"][0].GetString()) == plan);
  REQUIRE(d["licenseAssignmentStates"].Size() == 1);
  CHECK(d["licenseAssignmentStates"][0]["assignedByGroup"].IsNull());
  CHECK(t.changed_since(0) == std::vector<std::uint64_t>{11});
  // A plan that is not part of the SKU is refused.
  add = {{e3, {"ffffffff-ffff-4fff-bfff-ffffffffffff"}}};
  CHECK(t.assign_license(11, add, {}).status == 400);
}

TEST_CASE("every license of a clean tenant can be removed") {
  graphsim::tenant t({.users = 200, .seed = 5, .clean = true});
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    rapidjson::Document d;
    d.Parse(user_json(t, i).c_str());
    std::vector<std::string> skus;
    for (auto& l : d["assignedLicenses"].GetArray()) skus.push_back(l["skuId"].GetString());
    if (skus.empty()) continue;
    CHECK(remove(t, i, skus).status == 200);
    CHECK_FALSE(t.has_licenses(i));
  }
  CHECK(t.count_licensed() == 0);
}
