// graphsim/graph_error.hpp — Graph's standard error body (GRAPH.md §12), as the emulator sends it.
#pragma once

#include <string>
#include <string_view>

namespace graphsim {

// The JSON body {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
std::string graph_error_body(std::string_view code, std::string_view message, std::string_view request_id,
                             std::string_view client_request_id);

}  // namespace graphsim
