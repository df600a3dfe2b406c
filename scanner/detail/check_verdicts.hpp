// scanner/detail/check_verdicts.hpp — `entra-audit check`: what each answer means for a scan, and the exact fix to
// print (docs/check.md). Pure: the probes (tenant_check.cpp) hand their answers here; tests feed answers directly.
#pragma once

#include "scanner/crawl.hpp"
#include "scanner/detail/token_claims.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace scanner {

// ok: the scan will do this; warn: it will, at a cost the detail names; fail: the scan will fail; info: an optional
// read the scan does without (it never makes the check fail).
enum class verdict { ok, warn, fail, info };

// "ok", "warn", "FAIL" or "info".
std::string_view to_string(verdict v);

// One line of the check's table.
struct check_row {
  std::string check;  // what was checked, e.g. "users $count"
  verdict result = verdict::ok;
  std::string detail;      // what was seen
  std::string fix;         // the exact fix; empty when nothing needs fixing
  std::string request_id;  // of a failed probe (Graph's request-id, or the login service's trace id)
  std::string request;     // the request sent, e.g. "GET /v1.0/users?$top=1&..."; empty for local checks
};

// Who and where, for the fixes.
struct check_context {
  std::string graph_endpoint;  // e.g. https://graph.microsoft.com
  std::string authority_host;  // e.g. https://login.microsoftonline.com
  std::string tenant_id;       // as configured (GUID or domain)
  std::string client_id;
  std::optional<std::string> https_proxy;  // HTTPS_PROXY
  std::string no_proxy;                    // NO_PROXY
  license_details_mode mode = license_details_mode::derived;
  bool delegated = false;  // a person signed in (device code): permissions are delegated scopes and their role
};

// What a probe got back: a 2xx with its body, or the final failure the client gave up with.
struct probe_answer {
  unsigned status = 0;  // final HTTP status; 0 when nothing was answered (timeout, reset, refused)
  std::string code;     // Graph's error.code, or the login service's AADSTS code
  std::string request_id;
  std::string message;    // the client's one-line error (failures only)
  std::string body;       // the body of a 2xx
  bool retryable = true;  // no answer: false for refusals retrying cannot fix (certificate, proxy)
  bool ok() const { return status / 100 == 2; }
};

// The national cloud (--cloud name) whose Graph root graph_endpoint is; empty for any other URL (the emulator).
std::string cloud_of_graph_root(std::string_view graph_endpoint);

// The fix for a host that did not answer (status 0): network, DNS, firewall, or the HTTPS_PROXY in use.
std::string unreachable_fix(const probe_answer& a, std::string_view url, const check_context& ctx);

// The sign-in row: ok with the credential kind, or the login service's refusal with the fix for its AADSTS code
// (tenant or app not found, wrong or expired secret, certificate, federated token, clock, another cloud).
check_row sign_in_row(const probe_answer& a, std::string_view credential_kind, const check_context& ctx);

// The token row: its roles, scp, tenant and expiry; fail when its issuer's cloud is not the endpoint's (the fix
// names the --cloud to choose), warn when it is not a JWT or carries no application permission.
check_row token_row(const std::optional<token_claims>& claims, const check_context& ctx,
                    std::chrono::system_clock::time_point now);

// The clock row from a response's Date header: warn when this machine's clock is more than 5 minutes off (client
// assertions and token lifetimes are judged against it); ok when it is close or when no Date was seen.
check_row clock_row(std::optional<std::string_view> date, std::string_view host,
                    std::chrono::system_clock::time_point now);

// A probe every scan makes (organization, subscribedSkus, directory/subscriptions, users): ok with detail when
// answered 2xx, else fail with the fix for the status (403: the permission to grant and the admin-consent URL;
// 401: the cloud or credentials; no answer: network or proxy; 429/5xx: try later).
check_row probe_row(std::string check, std::string request, const probe_answer& a, std::string ok_detail,
                    const check_context& ctx);

// The users count probe ($count=true with ConsistencyLevel: eventual): ok with @odata.count; warn when Graph
// answers without it (it ignored $count: the scan lists users in one chain) or refuses it with 400.
check_row count_row(std::string request, const probe_answer& a, const check_context& ctx);

// The sharding probe (a startsWith(userPrincipalName,'a') page with $count and the header): warn on 400 (no
// sharding: one chain).
check_row shard_row(std::string request, const probe_answer& a, const check_context& ctx);

// The licenseDetails probe ($batch item): a 403 fails in fetch mode and only warns in derived mode (derived builds
// the same rows from assignedLicenses and subscribedSkus).
check_row license_details_row(std::string request, const probe_answer& a, const check_context& ctx);

// An optional door read (docs/design.md §7): ok with the doors it shows when answered 2xx, else info, never fail:
// the doors named will be unknown, and on 403 the fix names the optional permission that would show them.
check_row door_probe_row(std::string check, std::string request, const probe_answer& a, std::string ok_detail,
                         std::string_view doors, const check_context& ctx);

// The read ahead of the licensing groups' names (docs/graph.md §17), optional: ok when answered 2xx, or 400 (the
// filter not served: the scan reads each name by id instead); else info, never fail: on 403 the fix names
// GroupMember.Read.All, without which group_inherited findings name their groups by id only.
check_row groups_probe_row(std::string request, const probe_answer& a, const check_context& ctx);

// The appsAndServices read under a national cloud, where that beta endpoint does not exist: info, not probed.
check_row door_not_in_cloud_row(std::string check, std::string request, std::string_view doors);

}  // namespace scanner
