// graphsim/detail/okta_idp.hpp — the emulator playing the identity provider (sim --okta): an Okta-like System Log
// at GET /api/v1/logs whose events come from pushing each user's intended license set through the emulator's own
// assignLicense, plus failures the rules cannot predict (--idp-unexplained). docs/graphsim.md "Okta".
#pragma once

#include "graphsim/detail/http_types.hpp"
#include "graphsim/server.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace graphsim {

class tenant;

class okta_idp {
 public:
  okta_idp(sim_options const& options, tenant& t);

  // Answers GET /api/v1/logs: SSWS token check (401 as Okta), paging by limit/after with Link rel="next",
  // X-Rate-Limit-Limit/-Remaining/-Reset per one-second window, 429 beyond --okta-rate-limit. The first request
  // makes the pushes.
  sim_response handle(sim_request const& req, std::string const& base_url);
  // GET /_sim/idp: what each push got, {"<user id>": status, …} (the ground truth of the calibration tests).
  sim_response outcomes();

 private:
  void push_all();

  sim_options const& options_;
  tenant& tenant_;
  bool pushed_ = false;
  std::vector<std::string> events_;             // LogEvent objects as JSON, oldest first
  std::map<std::string, unsigned> outcome_of_;  // user id → the push's HTTP status
  std::int64_t window_ = 0;                     // the epoch second the rate limit counts in
  unsigned used_ = 0;                           // requests in that second
};

}  // namespace graphsim
