// graphsim/detail/identity_service.hpp — the managed identity endpoints of Azure, emulated (docs/graphsim.md "Managed
// identity endpoints"): IMDS, App Service's IDENTITY_ENDPOINT and Azure Arc's challenge with its key file. Each is
// served on a 127.0.0.1 listener of its own; the tokens are the token service's, so Graph accepts them.
#pragma once

#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/request_handler.hpp"

#include <cstdint>
#include <filesystem>
#include <random>
#include <set>
#include <string>

namespace graphsim {

class token_service;

// The identities the emulated machine has, and the secrets of its endpoints.
struct identity_config {
  std::string system_client_id, system_object_id;                // the system-assigned identity
  std::string user_client_id, user_object_id, user_resource_id;  // the one user-assigned identity
  std::string identity_header;                                   // App Service: IDENTITY_HEADER's value
  std::filesystem::path arc_key_dir;                             // Azure Arc: where challenge key files go
};

enum class identity_flavour { imds, app_service, azure_arc };

class identity_service {
 public:
  // Issues tokens through tokens; config's ids and secrets are drawn from seed when empty.
  identity_service(token_service& tokens, identity_config config, std::uint64_t seed);

  // Answers one request as the flavour's endpoint does.
  sim_response handle(identity_flavour flavour, sim_request const& req);

  const identity_config& config() const { return config_; }
  // Tokens issued so far.
  std::uint64_t issued() const { return issued_; }

 private:
  sim_response challenge();
  token_service& tokens_;
  identity_config config_;
  std::mt19937_64 rng_;
  std::set<std::string> arc_keys_;  // keys of open challenges (each used once)
  std::uint64_t issued_ = 0;
};

// One listener's view: every request goes to service as flavour, answered at once.
class identity_endpoint final : public request_handler {
 public:
  identity_endpoint(identity_service& service, identity_flavour flavour) : service_(service), flavour_(flavour) {}
  sim_response handle(sim_request const& req) override { return service_.handle(flavour_, req); }
  std::chrono::microseconds delay_for(sim_response const&) override { return std::chrono::microseconds{0}; }

 private:
  identity_service& service_;
  identity_flavour flavour_;
};

}  // namespace graphsim
