// scanner/okta_log.hpp — reads Okta's System Log (GET /api/v1/logs, docs/graph.md §16) page by page for
// `entra-audit ingest --okta-org-url`: the SSWS token, since/until, a filter on the provisioning event types, paging
// by Link rel="next", and Okta's rate limits (X-Rate-Limit-Remaining/-Reset, 429).
#pragma once

#include "base/error.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace scanner {

// The provisioning event types of an app push (docs/graph.md §16), as a System Log filter.
inline constexpr std::string_view okta_push_filter =
    R"(eventType eq "application.provision.user.push_profile" or eventType eq "application.provision.user.push")";

struct okta_log_options {
  std::string org_url{};  // https://<org>.okta.com (plain http:// only for a loopback host)
  std::string token{};    // the API token (OKTA_API_TOKEN), sent as "Authorization: SSWS <token>"
  std::string since{};    // ISO 8601; empty: Okta's default window
  std::string until{};
  std::string filter{okta_push_filter};
  std::optional<std::string> ca_file{};
  std::chrono::milliseconds timeout{std::chrono::seconds{60}};  // each connect, write and read
  std::optional<std::string> https_proxy{};
  std::string no_proxy{};
  int max_throttled_in_a_row = 10;  // 429s in a row before giving up
};

struct okta_log_summary {
  int pages = 0;
  int throttled = 0;  // answers 429
};

// Calls on_page with the body of every page (a JSON array of LogEvent objects), following Link rel="next" on the
// org's own origin only (the token goes nowhere else), waiting out X-Rate-Limit-Reset when Okta says none remain or
// answers 429. The token never appears in an error or a log line. A refused token is a usage error naming
// OKTA_API_TOKEN; the first error of on_page stops the reading and is returned.
base::result<okta_log_summary> read_okta_log(const okta_log_options& options,
                                             const std::function<base::result<void>(std::string_view body)>& on_page);

}  // namespace scanner
