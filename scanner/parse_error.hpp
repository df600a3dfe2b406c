// scanner/parse_error.hpp — Graph's standard error body (GRAPH.md §12), read for messages and decisions.
#pragma once

#include <string>
#include <string_view>

namespace scanner {

// error.code, error.message and the innerError request-id of an error body.
struct graph_error_info {
  std::string code;
  std::string message;
  std::string request_id;
};

// Reads an error body best-effort: fields are empty when the body is not Graph's error shape (never fails).
graph_error_info parse_graph_error(std::string_view body);

}  // namespace scanner
