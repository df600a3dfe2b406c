// tests/e2e/fake_tenant.hpp — a minimal Graph tenant served by the scripted test_fake::server, for end-to-end
// tests that need answers the emulator will not give (a huge token, a redirect, a NUL in a name, a slow page).
// The real entra-audit binary is pointed at it; it never links the scanner.
#pragma once

#include "scanner/fake_graph.hpp"
#include "support.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace e2e {

inline constexpr const char* fake_tenant_id = "84da47f7-0000-4000-8000-0000000000aa";
inline constexpr const char* fake_client_id = "22222222-2222-2222-2222-222222222222";
inline constexpr const char* fake_secret = "fake-client-secret-value";
// A SKU that is not in the tenant's (empty) subscribedSkus: a license of it is an `unattributed` finding.
inline constexpr const char* fake_sku_id = "f8a1db68-be16-40ed-86d5-cb42ce701560";

// One user JSON object holding fake_sku_id, with the given (already JSON-escaped) display name and department;
// with assigned_by_group, the license comes from that group (so that the scan reads the group's name).
std::string fake_user(const std::string& id, const std::string& upn, const std::string& display_name_json,
                      const std::string& department_json, const std::string& assigned_by_group = {});

class fake_tenant {
 public:
  // Answers first with intercept(r) when it returns a reply; otherwise token requests get an access token, the
  // organization, empty subscribedSkus and subscriptions, and /v1.0/users one page of users_json (a JSON array).
  using intercept_fn = std::function<std::optional<test_fake::reply>(const test_fake::request&)>;
  explicit fake_tenant(std::string users_json = "[]", intercept_fn intercept = {});

  // AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET.
  std::vector<std::string> env() const;
  // `scan --db DB --progress never --shards off --graph-endpoint URL --authority-host URL` plus extra.
  std::vector<std::string> scan_args(const std::string& db, const std::vector<std::string>& extra = {}) const;
  std::string url() const { return server_.url(); }
  std::vector<test_fake::request> requests() const { return server_.requests(); }

 private:
  test_fake::server server_;
};

// True for a request to the token endpoint.
bool is_token_request(const test_fake::request& r);

}  // namespace e2e
