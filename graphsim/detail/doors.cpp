// The --door NAME=open|closed names and the sim_doors fields they set (docs/graphsim.md, "Doors").
#include "graphsim/server.hpp"

#include <fmt/format.h>

#include <array>

namespace graphsim {
namespace {

struct door_spec {
  std::string_view name;
  bool sim_doors::*field;
};

constexpr std::array<door_spec, 4> door_specs{{
    {"signup", &sim_doors::signup_email_subscriptions},
    {"email-verified-join", &sim_doors::email_verified_join},
    {"trials", &sim_doors::trials},
    {"office-store", &sim_doors::office_store},
}};

}  // namespace

base::result<void> apply_door(sim_doors& doors, std::string_view spec) {
  auto const eq = spec.find('=');
  std::string_view const name = spec.substr(0, eq);
  std::string_view const value = eq == std::string_view::npos ? std::string_view() : spec.substr(eq + 1);
  for (auto const& d : door_specs) {
    if (d.name != name) continue;
    if (value != "open" && value != "closed")
      return base::usage_error(
          fmt::format("--door {} needs a state: --door {}=open or --door {}=closed", name, name, name));
    doors.*d.field = value == "open";
    return {};
  }
  return base::usage_error(
      fmt::format("unknown --door '{}': expected signup, email-verified-join, trials or office-store", name));
}

}  // namespace graphsim
