// graphsim/token_service.hpp — the identity platform's client-credentials endpoint (GRAPH.md §10) and the
// bearer tokens it hands out, which every Graph request must carry.
#pragma once

#include "graphsim/http_types.hpp"
#include "graphsim/jwt_verify.hpp"

#include <chrono>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

namespace graphsim {

class tenant;

enum class bearer_state { valid, missing, expired, invalid };

class token_service {
 public:
  using clock = std::chrono::steady_clock;
  token_service(tenant const& t, cert_registry certs, unsigned lifetime_s, std::uint64_t seed);

  // POST /{tenant}/oauth2/v2.0/token: a token-response.json body, or the AADSTS error of token-error.json.
  sim_response handle(sim_request const& req, std::string_view tenant_segment);

  // Whether an Authorization header carries a token this service issued and that has not expired.
  bearer_state check(std::optional<std::string_view> authorization, clock::time_point now) const;

  std::uint64_t issued() const { return issued_; }

 private:
  sim_response error(unsigned status, std::string_view error, unsigned code, std::string_view description,
                     std::string const& trace_id, std::string const& correlation_id) const;
  sim_response issue();

  tenant const& tenant_;
  cert_registry certs_;
  std::chrono::seconds lifetime_;
  std::mt19937_64 rng_;
  std::unordered_map<std::string, clock::time_point> tokens_;  // token -> expiry
  std::uint64_t issued_ = 0;
};

}  // namespace graphsim
