// scanner/capture.hpp — `scan --capture DIR` (docs/capture.md): every exchange of a scan with Graph and the login
// service written to DIR as a pseudonymized record that `sim --replay DIR` serves again, so that a failed run
// becomes a regression test. A capture never changes the scan: a write failure is one warning, then silence.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/exchange_observer.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace scanner {

// Bodies kept beyond the ones always kept (non-2xx answers, each endpoint's first page): docs/capture.md.
inline constexpr std::uint64_t default_capture_body_budget = std::uint64_t{256} << 20;

// The format this writer produces (manifest.json "format" and "format_version").
inline constexpr std::string_view capture_format_name = "entra-audit-capture";
inline constexpr int capture_format_version = 1;

struct capture_settings {
  std::string dir{};
  std::string tool_version{};
  std::string graph_root{};      // as given (--graph-endpoint or the cloud's)
  std::string authority_host{};  // as given
  std::string tenant_id{};       // as given (AZURE_TENANT_ID or --tenant-id)
  std::string client_id{};
  std::uint64_t body_budget = default_capture_body_budget;
};

class capture_writer {
 public:
  // Creates dir (mode 0700; parents too) and writes its manifest. A usage error (exit 2) when dir exists and is
  // not an empty directory, or cannot be created or written.
  static base::result<std::unique_ptr<capture_writer>> open(capture_settings settings);
  ~capture_writer();
  capture_writer(const capture_writer&) = delete;
  capture_writer& operator=(const capture_writer&) = delete;

  // What connection_options::observer must point to for this capture to see the scan.
  exchange_observer* observer();

  // Completes the manifest: the scan's outcome (failure empty = the scan succeeded), counts, whether partial.
  void finish(std::string_view failure);

  // Exchanges recorded so far.
  std::uint64_t exchanges() const;

 private:
  struct state;
  explicit capture_writer(std::unique_ptr<state> s);
  std::unique_ptr<state> s_{};
};

}  // namespace scanner
