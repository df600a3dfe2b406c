// audit/idp_events.hpp — reads what an identity provider reported when it pushed licenses (`entra-audit ingest`,
// docs/design.md §8): Okta System Log events (a JSON array or NDJSON of LogEvent objects as GET /api/v1/logs
// returns them, or the admin console's CSV export), the failure lines Okta shows in Tasks, and a small generic CSV
// (`time,user,http_status,error_code,message`) for other identity providers.
#pragma once

#include "base/error.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace audit {

enum class idp_format { detect, okta_log, okta_csv, okta_text, generic_csv };

// A line (or event) that could not be read: where it starts and why, in one line.
struct skipped_line {
  std::size_t line = 0;
  std::string reason{};
};

// What one file (or one page of Okta's API) held.
struct idp_read {
  idp_format format = idp_format::detect;  // the format read (never detect)
  std::vector<storage::idp_event_record> events{};
  std::vector<skipped_line> skipped{};  // malformed: counted, reported with their line, never stopping the rest
  std::int64_t other_events = 0;        // well-formed events that are not license pushes (other event types)
};

// Reads text in format (detect: from its first bytes), naming name in every event's ingested_from; never fails:
// whatever cannot be read is in skipped, and everything valid before and after it is kept.
idp_read read_idp_events(std::string_view text, std::string_view name, idp_format format = idp_format::detect);

// Reads the file at path (read_idp_events with the path as its name); a file that cannot be read is a usage error.
base::result<idp_read> read_idp_events_file(const std::string& path, idp_format format = idp_format::detect);

// "okta-log", "okta-csv", "okta-text", "csv" or "auto" (detect); nullopt otherwise.
std::optional<idp_format> parse_idp_format(std::string_view name);
// The name parse_idp_format takes for format.
std::string_view to_string(idp_format format);

}  // namespace audit
