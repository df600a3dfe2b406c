// scanner/detail/capture_files.hpp — the files of a capture (docs/capture.md): manifest.json, the lines of
// exchanges.ndjson, private files and directories. Internal to scanner/; graphsim reads the same format on its own.
#pragma once

#include "base/error.hpp"
#include "scanner/graph_client.hpp"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace scanner {

// One item of a $batch request: what the replay matches a batch on.
struct batch_item {
  std::string id{};
  std::string method{};
  std::string url{};  // relative, as sent, pseudonymized
};

// One line of exchanges.ndjson.
struct exchange_record {
  std::uint64_t seq = 0;
  double sent_ms = 0;  // since the capture started
  double elapsed_ms = 0;
  std::string service{};  // "graph" or "login"
  std::string origin{};   // the placeholder of the service's origin
  std::string method{};
  std::string target{};  // path + query, pseudonymized
  header_list request_headers{};
  std::optional<std::vector<batch_item>> batch_items{};
  unsigned status = 0;
  std::string error{};  // status 0: why there was no answer
  header_list response_headers{};
  std::uint64_t body_size = 0;             // bytes received
  std::optional<std::string> body_file{};  // relative to the capture's directory; nullopt = not kept

  std::string to_json() const;
};

// What manifest.json says.
struct manifest_facts {
  std::string tool_version{}, started_at{}, finished_at{}, graph_root{}, authority_host{}, tenant_id{}, client_id{};
  std::string outcome{};  // "", "complete" or "failed"
  std::string failure{};  // the scan's error line, pseudonymized
  std::uint64_t body_budget = 0, body_bytes = 0, bodies = 0, exchanges = 0;
  bool partial = false;
  std::string write_error{};

  std::string to_json() const;
};

// Creates dir with mode 0700 (its parents as needed) or accepts it empty; a usage error otherwise.
base::result<void> make_private_directory(const std::filesystem::path& dir);

// Writes text to path with mode 0600, replacing it whole (through a temporary file); throws on failure.
void write_private_file(const std::filesystem::path& path, std::string_view text);

// An append-only file of lines with mode 0600, each line flushed as written; throws on failure.
class line_file {
 public:
  explicit line_file(const std::filesystem::path& path);
  ~line_file();
  line_file(const line_file&) = delete;
  line_file& operator=(const line_file&) = delete;
  void append(std::string_view line);
  void flush();

 private:
  std::FILE* file_ = nullptr;
};

// Now, UTC ISO 8601 with milliseconds (2026-11-23T09:30:00.000Z).
std::string utc_now();

// True if text starts (after white space) like a JSON object or array.
bool looks_like_json(std::string_view text);

}  // namespace scanner
