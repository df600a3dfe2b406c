// audit/detail/idp_readers.hpp — one reader per format of audit/idp_events.hpp; each adds what it reads to out.
#pragma once

#include "audit/idp_events.hpp"

#include <cstddef>
#include <string_view>

namespace audit {

// The largest single event a reader accepts (a LogEvent is a few KiB): a longer one is skipped with its size, so a
// hostile 100 MB line costs no more than reading it.
inline constexpr std::size_t max_event_bytes = std::size_t{1} << 20;

// Okta System Log JSON: an array of LogEvent objects (GET /api/v1/logs), NDJSON, or objects one after another.
void read_okta_log(std::string_view text, std::string_view name, idp_read& out);
// Okta's System Log CSV export (a header row naming uuid, published, eventType, …).
void read_okta_csv(std::string_view text, std::string_view name, idp_read& out);
// Failure lines as Okta shows them in Tasks (docs/graph.md §16), one per line.
void read_okta_text(std::string_view text, std::string_view name, idp_read& out);
// time,user,http_status,error_code,message (other identity providers).
void read_generic_csv(std::string_view text, std::string_view name, idp_read& out);

}  // namespace audit
