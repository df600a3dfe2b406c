// graphsim/detail/request_handler.hpp — what the HTTP sessions (http_session.hpp) serve from: one request in, one
// response out, and how long to hold it. The emulator is one; the replay of a capture (replay_server.hpp) another.
#pragma once

#include "graphsim/detail/http_types.hpp"

#include <chrono>

namespace graphsim {

class request_handler {
 public:
  virtual ~request_handler() = default;
  // Answers one HTTP request (called on the server's one io thread).
  virtual sim_response handle(sim_request const& req) = 0;
  // The delay before sending res.
  virtual std::chrono::microseconds delay_for(sim_response const& res) = 0;
};

}  // namespace graphsim
