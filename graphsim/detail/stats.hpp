// graphsim/detail/stats.hpp — the request log: counts by endpoint and status, resource units charged, throttled
// requests and injected faults (GET /_sim/stats and the shutdown report).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace graphsim {

// Thread-safe: the server thread records, a test or `demo` thread may read (background_server::stats_json).
class request_stats {
 public:
  // Counts one request (an HTTP request, or one $batch item).
  void record(std::string_view endpoint, unsigned status, unsigned ru_charged);
  void count_throttled();
  void count_fault(std::string_view kind);

  // {"total":N,"requests":{"GET /v1.0/users":{"200":3}},"ru_charged":N,"throttled":N,"faults":{"total":N,...}}
  std::string to_json() const;
  // The same as lines for a person (the `sim` shutdown report).
  std::string to_text() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<unsigned, std::uint64_t>, std::less<>> by_endpoint_;
  std::map<std::string, std::uint64_t, std::less<>> faults_;
  std::uint64_t total_ = 0;
  std::uint64_t ru_charged_ = 0;
  std::uint64_t throttled_ = 0;
  std::uint64_t faults_total_ = 0;
};

}  // namespace graphsim
