// graphsim/detail/replay_server.hpp — `entra-audit sim --replay DIR`: a capture written by `scan --capture` served
// again (docs/capture.md, "Replay"), so that a failed real run becomes a regression test. No I/O but reading the
// capture.
#pragma once

#include "base/error.hpp"
#include "graphsim/detail/request_handler.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace graphsim {

class replay_server final : public request_handler {
 public:
  // Reads the capture in dir; a usage error (exit 2) when there is none or it does not parse.
  static base::result<std::unique_ptr<replay_server>> load(const std::string& dir);
  ~replay_server() override;

  // The server's own root (e.g. http://127.0.0.1:PORT): captured links are rewritten to it.
  void set_root(std::string root);

  // Token requests: any credentials get a fresh token (or the captured refusal); /_sim/stats: the replay log;
  // $batch: matched on its items; any other request: on method + decoded target, captured attempts in order,
  // the last repeating; a request the capture does not hold: 404 NotInCapture, listed in the log's misses.
  sim_response handle(sim_request const& req) override;
  std::chrono::microseconds delay_for(sim_response const&) override { return std::chrono::microseconds{0}; }

  const std::string& tenant_id() const;      // the capture's (as the scan was given it)
  const std::string& client_id() const;      // the capture's
  const std::string& client_secret() const;  // made up at start: any secret is accepted
  // {"total":N,"requests":{"GET /v1.0/users":{"200":3}},...,"misses":[{"request":"get /v1.0/x","count":1}]}
  std::string stats_json() const;
  // The same for a person: printed when `sim --replay` exits.
  std::string log_text() const;

 private:
  struct impl;
  explicit replay_server(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace graphsim
