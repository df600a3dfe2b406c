// audit/detail/graph_failure_text.hpp — the facts an identity provider's failure text carries about Graph's answer
// to assignLicense (docs/graph.md §6 quotes Okta's form), and the time and identity rules every format shares.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace audit {

// What a failure text says, each field empty (nullopt) when the text does not say it.
struct graph_failure_fields {
  std::optional<int> http_status;  // httpStatusCode=403, else "HTTP status code 403"
  std::string error_code;          // errorCode=Authorization_RequestDenied
  std::string error_message;       // errorMessage="…" (quoted) or up to the next field
  std::string request_id;          // request-id=… (not client-request-id)
  std::string user_id;             // lower-case GUID of …/users/<id>/microsoft.graph.assignLicense
  std::string timestamp;           // timestamp='…' as written
  bool names_assign_license = false;
};

// Reads the fields from free text (Okta's outcome.reason, a Tasks line, a generic CSV message).
graph_failure_fields read_graph_failure(std::string_view text);

// A time as UTC ISO 8601 with milliseconds (2026-11-23T09:30:00.000Z) from ISO 8601 text with a Z or ±hh:mm offset
// (or none: UTC), a 'T' or a space between date and time, optional fractions; nullopt when it is not one.
std::optional<std::string> normalize_time(std::string_view text);

// "line:" and a 64-bit FNV-1a hash of the text in hex: the identity of an event whose format gives none.
std::string line_event_id(std::string_view text);

// text with invalid UTF-8 and control characters replaced by U+FFFD, cut to at most max_bytes (on a character
// boundary): what a hostile log may put in a stored column.
std::string clean_text(std::string_view text, std::size_t max_bytes = 2000);

}  // namespace audit
