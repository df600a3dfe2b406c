// graphsim/detail/emulator.hpp — one request in, one response out: the token endpoint, /_sim/stats, and every Graph
// request through authentication, faults, throttling, the routes and Graph's response headers. No I/O here:
// the HTTP sessions (http_session.hpp) feed it and apply latency and wire faults.
#pragma once

#include "base/error.hpp"
#include "graphsim/detail/faults.hpp"
#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/okta_idp.hpp"
#include "graphsim/detail/page_token.hpp"
#include "graphsim/detail/request_handler.hpp"
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/stats.hpp"
#include "graphsim/detail/throttle.hpp"
#include "graphsim/detail/token_service.hpp"
#include "graphsim/server.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <string>

namespace graphsim {

class tenant;

// Reads a churn rate, a fraction in [0, 1] ("0.005"); false leaves rate as it was.
bool parse_churn_rate(std::string_view text, double& rate);

class emulator final : public request_handler {
 public:
  // Checks the options (fault schedule, client certificates) and builds the emulator over t.
  static base::result<std::unique_ptr<emulator>> create(sim_options const& options, tenant& t);

  // Answers one HTTP request.
  sim_response handle(sim_request const& req) override;
  // The delay before sending res: uniform in --latency-ms plus 0.05 ms per item, plus 2 s for "slow".
  std::chrono::microseconds delay_for(sim_response const& res) override;

  // Where links point when the client sent no usable Host, and the scheme of links ("http" or "https").
  void set_address(std::string scheme, std::string host_port);

  request_stats& stats() { return stats_; }
  // The token service, which the managed identity endpoints (identity_service.hpp) issue tokens through.
  token_service& tokens() { return tokens_; }
  // Runs fn after each night POST /_sim/advance moves the tenant forward (the server rewrites --truth there).
  void on_advance(std::function<void()> fn);

 private:
  emulator(sim_options const& options, tenant& t, std::vector<fault_rule> schedule, cert_registry certs);
  sim_response serve_graph(sim_request const& req, bool batch_item);
  // POST /_sim/advance[?churn=R]: one night of churn (docs/graphsim.md "Churn"), answered with what changed.
  sim_response advance(sim_request const& req);
  // POST /_sim/device/approve|decline?user_code=C and /_sim/refresh-tokens/revoke: the browser's part of a
  // device-code sign-in, and an administrator revoking sessions (test-only; docs/graphsim.md).
  sim_response sign_in_control(sim_request const& req);
  void decorate(sim_response& res, std::string const& request_id, std::string const& client_request_id,
                unsigned ru) const;
  sim_response graph_error(unsigned status, std::string_view code, std::string_view message,
                           std::string const& request_id, std::string const& client_request_id) const;
  std::string base_url(sim_request const& req) const;

  sim_options options_;
  tenant& tenant_;
  token_service tokens_;
  fault_plan faults_;
  throttle_bucket bucket_;
  page_token_codec codec_;
  order_cache orders_;
  request_stats stats_;
  std::unique_ptr<okta_idp> okta_;  // with --okta
  std::mt19937_64 rng_;
  std::string scheme_ = "http";
  std::string host_port_ = "127.0.0.1";
  std::function<void()> after_advance_;
};

}  // namespace graphsim
