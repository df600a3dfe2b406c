// base/utc_time.hpp — the one text form of a moment entra-audit writes: UTC ISO 8601 with milliseconds (pure).
#pragma once

#include <chrono>
#include <string>

namespace base {

// "2026-11-23T09:30:00.000Z" for t (sub-millisecond parts dropped): the form of the scans' and events' timestamps,
// which compare as text in time order.
std::string utc_iso_millis(std::chrono::system_clock::time_point t);

}  // namespace base
