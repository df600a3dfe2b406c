// graphsim/detail/replay_capture.hpp — reading a capture written by `scan --capture` (docs/capture.md) for
// `sim --replay`. graphsim shares no code with scanner/: this reads the documented format on its own.
#pragma once

#include "base/error.hpp"
#include "graphsim/detail/http_types.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

// The format version this reader understands (manifest.json "format_version").
inline constexpr int replay_format_version = 1;

// One item of a captured $batch request.
struct captured_batch_item {
  std::string id{};
  std::string method{};
  std::string url{};
};

// One line of exchanges.ndjson.
struct captured_exchange {
  std::uint64_t seq = 0;
  bool login = false;  // a token request (service "login")
  std::string method{};
  std::string target{};
  std::optional<std::vector<captured_batch_item>> batch_items{};
  unsigned status = 0;  // 0: the attempt got no answer
  header_list response_headers{};
  std::uint64_t body_size = 0;
  std::optional<std::string> body_file{};
};

struct captured_run {
  std::filesystem::path dir{};
  std::string tenant_id{};
  std::string client_id{};
  std::string graph_placeholder{};  // origins written in place of the Graph root and the login host
  std::string login_placeholder{};
  bool partial = false;
  std::vector<captured_exchange> exchanges{};

  // The body of x as captured (empty when none was kept); an error when its file cannot be read.
  base::result<std::string> body_of(const captured_exchange& x) const;
};

// Reads dir's manifest.json and exchanges.ndjson (bodies are read when served); a usage error (exit 2) naming the
// file and line when dir holds no capture, one of another format version, or a line that does not parse.
base::result<captured_run> read_capture(const std::filesystem::path& dir);

// What a request is matched on: method, a space, and the target percent-decoded, with the string literal compared
// to userPrincipalName (le, lt, ge, gt) in a $filter read as '*' (the scanner picks it from names, which
// pseudonyms do not keep in order: docs/capture.md).
std::string replay_key(std::string_view method, std::string_view target);

// For the key of a users shard `startswith(userPrincipalName,'<prefix>')` whose prefix has two characters or more,
// the key of the same request for the prefix one character shorter (the shard it was split from); nullopt for any
// other key. The scanner lists only the longer prefixes that the names of a split shard's first page use and proves
// the others empty by their counts (docs/scanning.md); pseudonyms do not keep those names, so a replay may ask for
// a longer prefix that the captured scan proved empty and never requested.
std::optional<std::string> split_parent_key(std::string_view key);

}  // namespace graphsim
