// scanner/detail/observe_attempt.hpp — how graph_client and token_source show an attempt to the exchange_observer
// (scanner/detail/exchange_observer.hpp): what is copied before sending, what is filled in after. Internal to scanner/.
#pragma once

#include "scanner/detail/exchange_observer.hpp"
#include "scanner/detail/http_connection.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace scanner {

// An attempt being watched: what the observer will be shown, and when the request left.
struct watched_attempt {
  observed_exchange seen{};
  std::chrono::steady_clock::time_point sent{};
};

// Copies what an observer may see of msg before it is sent (no credential header; a token request's body never);
// nullopt when there is no observer, so that nothing is copied then.
std::optional<watched_attempt> watch_attempt(const exchange_observer* observer, exchange_service service,
                                             const http::request<http::string_body>& msg, const std::string& url);

// Completes the attempt with its outcome and shows it to the observer (whose exceptions are dropped: a capture
// never changes the scan). Bodies and error texts pass through base::redact; a token answer's tokens are replaced.
void show_attempt(const exchange_observer* observer, std::optional<watched_attempt>& attempt,
                  const transport_result<raw_response>& outcome);

// A token endpoint's body with every token value replaced by "<removed>" (a body that is not a JSON object is
// replaced whole): what an observer may see of it.
std::string without_tokens(std::string_view body);

// True for header names that carry credentials (Authorization, Cookie, names with "secret", "token", ...).
bool is_credential_header(std::string_view lower_name);

}  // namespace scanner
