// graphsim/detail/graph_error.hpp — Graph's standard error body (docs/graph.md §12) and the identity platform's AADSTS
// token error body (docs/graph.md §10.3), as the emulator sends them.
#pragma once

#include <string>
#include <string_view>

namespace graphsim {

// The JSON body {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
std::string graph_error_body(std::string_view code, std::string_view message, std::string_view request_id,
                             std::string_view client_request_id);

// The 429 body of error-429.json: TooManyRequests with innerError code/status "429".
std::string throttle_error_body(std::string_view request_id, std::string_view client_request_id);

// The token endpoint's error body of token-error.json: error, error_description "AADSTSnnnn: text" with
// Trace ID / Correlation ID / Timestamp lines, error_codes, timestamp, trace_id, correlation_id.
std::string aadsts_error_body(std::string_view error, unsigned aadsts_code, std::string_view description,
                              std::string_view trace_id, std::string_view correlation_id);

}  // namespace graphsim
