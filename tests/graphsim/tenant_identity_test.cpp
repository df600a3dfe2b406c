#include "graphsim/tenant.hpp"

#include <doctest/doctest.h>

#include <rapidjson/document.h>

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
  const std::vector<std::string> select{"id", "userPrincipalName", "displayName", "assignedLicenses",
                                        "licenseAssignmentStates", "department", "createdDateTime"};
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
