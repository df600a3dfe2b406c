// scanner/graph_error_text.hpp — Graph's error body (GRAPH.md §12) and the one-line final error (pure).
#pragma once

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

// Application permission a read of this URL needs (GRAPH.md §13), e.g. "User.Read.All"; empty if unknown.
std::string permission_for(std::string_view url);

// Where an administrator grants the app's application permissions for the tenant (GRAPH.md §10):
// {authority_host}/{tenant}/adminconsent?client_id={client}.
std::string admin_consent_url(std::string_view authority_host, std::string_view tenant_id, std::string_view client_id);

// The fix for a final status, e.g. "Graph is unavailable; try again later", or for a 403 the missing permission
// and the admin-consent URL on authority_host for tenant and client.
std::string hint_for_status(unsigned status, std::string_view url, std::string_view authority_host,
                            std::string_view tenant_id, std::string_view client_id);

}  // namespace scanner
