#include "e2e/fake_tenant.hpp"

#include <fmt/core.h>

namespace e2e {

std::string fake_user(const std::string& id, const std::string& upn, const std::string& display_name_json,
                      const std::string& department_json, const std::string& assigned_by_group) {
  std::string const states =
      assigned_by_group.empty()
          ? std::string()
          : fmt::format(R"({{"skuId":"{}","assignedByGroup":"{}","state":"Active","error":"None","disabledPlans":[]}})",
                        fake_sku_id, assigned_by_group);
  return fmt::format(R"({{"id":"{}","userPrincipalName":"{}","displayName":"{}","department":"{}",)"
                     R"("accountEnabled":true,"userType":"Member",)"
                     R"("assignedLicenses":[{{"skuId":"{}","disabledPlans":[]}}],"licenseAssignmentStates":[{}]}})",
                     id, upn, display_name_json, department_json, fake_sku_id, states);
}

bool is_token_request(const test_fake::request& r) { return r.target.find("/oauth2/v2.0/token") != std::string::npos; }

fake_tenant::fake_tenant(std::string users_json, intercept_fn intercept)
    : server_([users_json = std::move(users_json), intercept = std::move(intercept)](const test_fake::request& r) {
        if (intercept)
          if (auto answer = intercept(r)) return *answer;
        if (is_token_request(r)) return test_fake::reply{200, test_fake::token_body("fake.access.token")};
        if (r.target.starts_with("/v1.0/organization"))
          return test_fake::reply{200,
                                  fmt::format(R"({{"value":[{{"id":"{}","displayName":"Fake"}}]}})", fake_tenant_id)};
        if (r.target.starts_with("/v1.0/subscribedSkus") || r.target.starts_with("/v1.0/directory/subscriptions"))
          return test_fake::reply{200, R"({"value":[]})"};
        if (r.target.starts_with("/v1.0/users")) return test_fake::reply{200, R"({"value":)" + users_json + "}"};
        return test_fake::reply{404, R"({"error":{"code":"Request_ResourceNotFound","message":"not faked"}})"};
      }) {}

std::vector<std::string> fake_tenant::env() const {
  return {std::string("AZURE_TENANT_ID=") + fake_tenant_id, std::string("AZURE_CLIENT_ID=") + fake_client_id,
          std::string("AZURE_CLIENT_SECRET=") + fake_secret};
}

std::vector<std::string> fake_tenant::scan_args(const std::string& db, const std::vector<std::string>& extra) const {
  std::vector<std::string> args{
      "scan", "--db", db, "--progress", "never", "--shards", "off", "--graph-endpoint", url(), "--authority-host",
      url()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace e2e
