#include "graphsim/server.hpp"

namespace graphsim {

base::result<void> run_sim(const sim_options&, std::ostream&) {
  return base::runtime_error("the emulator is not built yet");
}

}  // namespace graphsim
