#include "graphsim/detail/tenant.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cctype>
#include <set>
#include <string>

namespace {

std::string all_users_json(const graphsim::tenant& t, std::span<const std::string> select = {}) {
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  w.StartArray();
  for (std::uint64_t i = 0; i < t.user_count(); ++i) t.write_user(i, select, w);
  w.EndArray();
  return buffer.GetString();
}

}  // namespace

TEST_CASE("the same seed and size give byte-identical users") {
  graphsim::tenant a({.users = 300, .seed = 7});
  graphsim::tenant b({.users = 300, .seed = 7});
  const std::vector<std::string> select{
      "id",         "userPrincipalName", "displayName", "assignedLicenses", "licenseAssignmentStates",
      "department", "createdDateTime"};
  CHECK(all_users_json(a, select) == all_users_json(b, select));
  CHECK(all_users_json(a) == all_users_json(b));
  CHECK(a.tenant_id() == b.tenant_id());
  CHECK(a.client_secret() == b.client_secret());
}

TEST_CASE("a different seed gives a different tenant") {
  graphsim::tenant a({.users = 300, .seed = 7});
  graphsim::tenant b({.users = 300, .seed = 8});
  CHECK(all_users_json(a) != all_users_json(b));
  CHECK(a.tenant_id() != b.tenant_id());
  CHECK(a.default_domain() != b.default_domain());
}

TEST_CASE("every user id and user principal name is unique") {
  graphsim::tenant t({.users = 5000, .seed = 3});
  std::set<std::string> ids, upns;
  rapidjson::StringBuffer buffer;
  const std::vector<std::string> select{"id", "userPrincipalName"};
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    buffer.Clear();
    graphsim::json_writer w(buffer);
    t.write_user(i, select, w);
    rapidjson::Document d;
    d.Parse(buffer.GetString());
    REQUIRE(d.IsObject());
    ids.insert(d["id"].GetString());
    upns.insert(d["userPrincipalName"].GetString());
  }
  CHECK(ids.size() == 5000);
  CHECK(upns.size() == 5000);
}

TEST_CASE("a user is found by id and by user principal name in any case") {
  graphsim::tenant t({.users = 2000, .seed = 11});
  for (std::uint64_t i : {0ull, 7ull, 10ull, 999ull, 1999ull}) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    const std::vector<std::string> select{"id"};
    t.write_user(i, select, w);
    rapidjson::Document d;
    d.Parse(buffer.GetString());
    std::string id = d["id"].GetString();
    CHECK(t.find_user(id) == i);
    for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(t.find_user(id) == i);
    std::string upn = t.user_principal_name(i);
    CHECK(t.find_user(upn) == i);
    for (char& c : upn) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(t.find_user(upn) == i);
  }
  CHECK_FALSE(t.find_user("nobody@contoso-11.onmicrosoft.com"));
  CHECK_FALSE(t.find_user("00000000-0000-0000-0000-000000000000"));
  CHECK_FALSE(t.find_user(""));
  for (const std::string& removed : t.removed_user_ids()) CHECK_FALSE(t.find_user(removed));
  // A user past the end of a smaller tenant with the same seed does not exist there.
  graphsim::tenant small({.users = 5, .seed = 11});
  CHECK_FALSE(small.find_user(t.user_principal_name(1999)));
}

TEST_CASE("user principal names use only characters Entra allows and guests have #EXT# names") {
  graphsim::tenant t({.users = 3000, .seed = 5});
  std::uint64_t guests = 0;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    std::string upn = t.user_principal_name(i);
    const auto at = upn.rfind('@');
    REQUIRE(at != std::string::npos);
    CHECK(upn.substr(at + 1) == t.default_domain());
    std::string local = upn.substr(0, at);
    if (local.ends_with("#EXT#")) {
      ++guests;
      local.resize(local.size() - 5);
      CHECK(local.find('_') != std::string::npos);
    }
    for (char c : local) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_'));
  }
  CHECK(guests > 0);
}

TEST_CASE("users' JSON has exactly the selected properties, or Graph's default set") {
  graphsim::tenant t({.users = 50, .seed = 2});
  auto keys_of = [&](std::uint64_t i, std::span<const std::string> select) {
    rapidjson::StringBuffer buffer;
    graphsim::json_writer w(buffer);
    t.write_user(i, select, w);
    rapidjson::Document d;
    d.Parse(buffer.GetString());
    REQUIRE_FALSE(d.HasParseError());
    std::set<std::string> keys;
    for (auto& m : d.GetObject()) keys.insert(m.name.GetString());
    return keys;
  };
  const std::vector<std::string> scan{"id",
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
  const std::vector<std::string> odd_case{"ID", "displayname", "signInActivity", "displayName"};
  const std::set<std::string> defaults{"businessPhones",    "displayName", "givenName",        "id",
                                       "jobTitle",          "mail",        "mobilePhone",      "officeLocation",
                                       "preferredLanguage", "surname",     "userPrincipalName"};
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    CHECK(keys_of(i, scan) == std::set<std::string>(scan.begin(), scan.end()));
    CHECK(keys_of(i, {}) == defaults);
    CHECK(keys_of(i, odd_case) == std::set<std::string>{"id", "displayName", "signInActivity"});
  }
}

TEST_CASE("user properties are recognised case-insensitively and single-user-only ones are flagged") {
  CHECK(graphsim::tenant::is_user_property("assignedLicenses"));
  CHECK(graphsim::tenant::is_user_property("LICENSEASSIGNMENTSTATES"));
  CHECK(graphsim::tenant::is_user_property("signInActivity"));
  CHECK_FALSE(graphsim::tenant::is_user_property("notAProperty"));
  CHECK(graphsim::tenant::is_single_user_only_property("mailboxSettings"));
  CHECK(graphsim::tenant::is_user_property("aboutMe"));
  CHECK_FALSE(graphsim::tenant::is_single_user_only_property("displayName"));
}

TEST_CASE("user principal name prefix counts equal a brute-force count") {
  graphsim::tenant t({.users = 4000, .seed = 9});
  std::vector<std::string> upns;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) upns.push_back(t.user_principal_name(i));
  auto brute = [&](std::string prefix) {
    for (char& c : prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::uint64_t n = 0;
    for (const std::string& upn : upns) n += upn.starts_with(prefix) ? 1 : 0;
    return n;
  };
  std::uint64_t sum = 0;
  for (char c = 'a'; c <= 'z'; ++c) {
    CHECK(t.count_upn_prefix(std::string(1, c)) == brute(std::string(1, c)));
    sum += t.count_upn_prefix(std::string(1, c));
  }
  CHECK(sum == t.user_count());
  for (std::string prefix : {"A", "Li", "ana.", "JOAO.SILVA1", "zzz", "o"})
    CHECK(t.count_upn_prefix(prefix) == brute(prefix));
  CHECK(t.count_upn_prefix("") == t.user_count());
}

TEST_CASE("licensed users are counted and match has_licenses") {
  graphsim::tenant t({.users = 3000, .seed = 4});
  std::uint64_t licensed = 0;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) licensed += t.has_licenses(i) ? 1 : 0;
  CHECK(t.count_licensed() == licensed);
  CHECK(licensed > 0);
  CHECK(licensed < t.user_count());
}

TEST_CASE("a tenant without users serves no users and still has an identity and SKUs") {
  graphsim::tenant t({.users = 0, .seed = 1});
  CHECK(t.user_count() == 0);
  CHECK(t.count_licensed() == 0);
  CHECK(t.count_upn_prefix("a") == 0);
  CHECK_FALSE(t.find_user("anything@contoso-1.onmicrosoft.com"));
  CHECK(t.default_domain() == "contoso-1.onmicrosoft.com");
  CHECK(t.client_secret().find_first_of(" =") == std::string::npos);
  rapidjson::StringBuffer buffer;
  graphsim::json_writer w(buffer);
  w.StartArray();
  t.write_subscribed_skus(w);
  w.EndArray();
  rapidjson::Document d;
  d.Parse(buffer.GetString());
  REQUIRE(d.IsArray());
  CHECK(d.Size() > 0);
  for (auto& sku : d.GetArray()) CHECK(sku["consumedUnits"].GetUint64() == 0);
}

TEST_CASE("a 2,000,000-user tenant is built and serves its last user") {
  graphsim::tenant t({.users = 2000000, .seed = 1});
  const std::uint64_t last = t.user_count() - 1;
  CHECK(t.find_user(t.user_principal_name(last)) == last);
  std::uint64_t sum = 0;
  for (char c = 'a'; c <= 'z'; ++c) sum += t.count_upn_prefix(std::string(1, c));
  CHECK(sum == t.user_count());
  CHECK(t.count_licensed() > t.user_count() / 2);
}
