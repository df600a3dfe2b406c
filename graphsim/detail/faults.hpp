// graphsim/detail/faults.hpp — injected failures: a deterministic schedule ("N:KIND,N-M:KIND,N-:KIND", N counting
// Graph requests from 1) and a seeded random rate. Grammar and semantics: docs/graphsim.md.
#pragma once

#include "base/error.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

enum class fault : std::uint8_t {
  none,
  unavailable_503,
  internal_500,
  timeout_504,
  throttled_429,
  reset,
  truncate,
  malformed,
  slow
};

// The schedule's name of a fault ("503", "reset", ...).
std::string_view to_string(fault f);

struct fault_rule {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive; UINT64_MAX for "N-"
  fault kind = fault::none;
};

// Parses the --fault-schedule grammar, or a usage error naming the bad entry.
base::result<std::vector<fault_rule>> parse_fault_schedule(std::string_view text);

// Decides the fault of each Graph request in arrival order.
class fault_plan {
 public:
  fault_plan(std::vector<fault_rule> schedule, double rate, std::uint64_t seed);
  // The fault for the next Graph request (the schedule first, then the random rate).
  fault next();
  // Requests numbered so far.
  std::uint64_t count() const { return n_; }

 private:
  std::vector<fault_rule> schedule_;
  double rate_;
  std::mt19937_64 rng_;
  std::uint64_t n_ = 0;
};

}  // namespace graphsim
