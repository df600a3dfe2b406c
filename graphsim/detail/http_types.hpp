// graphsim/detail/http_types.hpp — the emulator's own request/response values, independent of Beast, so that the
// routes, $batch items and tests share one shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace graphsim {

using header_list = std::vector<std::pair<std::string, std::string>>;

// One request as the routes see it (an HTTP request or one $batch item).
struct sim_request {
  std::string method;   // upper-case
  std::string target;   // origin form: /v1.0/users?$top=5
  std::string host;     // the Host the client used (nextLink and aud are built from it)
  header_list headers;  // names lower-case
  std::string body;

  // The first header with this (lower-case) name.
  std::optional<std::string_view> header(std::string_view lower_name) const;
};

// What goes wrong on the wire instead of (or on top of) a normal answer.
enum class wire_fault : std::uint8_t { none, reset, truncate };

// One response as the routes produce it.
struct sim_response {
  unsigned status = 200;
  header_list headers;  // besides Content-Type/Content-Length, which the session adds
  std::string body;
  std::string content_type;
  std::uint64_t items = 0;  // items returned (latency model: 0.05 ms each)
  wire_fault fault = wire_fault::none;
  bool delay_slow = false;  // the "slow" fault: answer 2 s late

  // Sets or replaces a header.
  void set_header(std::string name, std::string value);
  // The header's value, if present (case-insensitive name).
  std::optional<std::string_view> header(std::string_view name) const;
};

// An expected failure a route answers with Graph's error body.
struct graph_failure {
  unsigned status = 400;
  std::string code;
  std::string message;
};

}  // namespace graphsim
