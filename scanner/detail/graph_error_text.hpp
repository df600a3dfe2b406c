// scanner/detail/graph_error_text.hpp — Graph's error body (docs/graph.md §12) and the one-line final error (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace scanner {

// The fields of {"error":{"code","message","innerError":{"request-id",...}}}; empty when absent.
struct graph_error_body {
  std::string code;
  std::string message;
  std::string request_id;
};

// Parses a Graph error body; innerError/innererror keys are matched case-insensitively, nesting followed.
graph_error_body parse_graph_error(std::string_view body);

// Application permission a read of this URL needs (docs/graph.md §13), e.g. "User.Read.All"; empty if unknown.
std::string permission_for(std::string_view url);

// Where an administrator grants the app's application permissions for the tenant (docs/graph.md §10.4):
// {authority_host}/{tenant}/adminconsent?client_id={client}.
std::string admin_consent_url(std::string_view authority_host, std::string_view tenant_id, std::string_view client_id);

// The fix for a final status, e.g. "Graph is unavailable; try again later", or for a 403 the missing permission
// and the admin-consent URL on authority_host for tenant and client.
std::string hint_for_status(unsigned status, std::string_view url, std::string_view authority_host,
                            std::string_view tenant_id, std::string_view client_id);

// Which service a redirect came from: the fix differs (the Graph root or the login host).
enum class redirected_service { graph, login };

// One line for a 3xx answer, which is never followed (a token or credential must not go where the user did not
// point it): "<what> was redirected (301) to <location> — ...; check --graph-endpoint or --cloud, or a proxy or
// captive portal ...". location may be absent or hostile: it is cut to a readable length.
std::string describe_redirect(std::string_view what, unsigned status, std::optional<std::string_view> location,
                              redirected_service service);

}  // namespace scanner
