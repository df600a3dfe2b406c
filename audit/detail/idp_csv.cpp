// The two CSV forms: Okta's System Log export (columns found by their names, so that the export's other columns and
// their order do not matter) and the generic time,user,http_status,error_code,message.
#include "audit/detail/csv_reader.hpp"
#include "audit/detail/graph_failure_text.hpp"
#include "audit/detail/idp_readers.hpp"
#include "audit/detail/okta_event.hpp"
#include "audit/detail/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace audit {
namespace {

std::optional<std::size_t> column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (iequals(trim(header[i]), name)) return i;
  return std::nullopt;
}

std::string cell(const std::vector<std::string>& row, std::optional<std::size_t> i) {
  return i && *i < row.size() ? row[*i] : std::string{};
}

std::size_t row_bytes(const std::vector<std::string>& row) {
  std::size_t n = 0;
  for (const auto& c : row) n += c.size() + 1;
  return n;
}

bool too_long(const std::vector<std::string>& row, std::size_t line, idp_read& out) {
  if (row_bytes(row) <= max_event_bytes) return false;
  out.skipped.push_back({line, fmt::format("a row of {} bytes, more than the {} bytes one event can be", row_bytes(row),
                                           max_event_bytes)});
  return true;
}

}  // namespace

void read_okta_csv(std::string_view text, std::string_view name, idp_read& out) {
  csv_reader csv(text);
  std::vector<std::string> header, row;
  if (!csv.next(header)) return;
  auto const uuid = column(header, "uuid"), published = column(header, "published"),
             event_type = column(header, "eventType"), result = column(header, "outcome.result");
  if (!uuid || !published || !event_type) {
    out.skipped.push_back({csv.line(),
                           "the header names no uuid, published and eventType columns: not Okta's System "
                           "Log CSV export (use --format to say which format the file is)"});
    return;
  }
  // The pushed user's target: the first target column holding an alternateId (the export flattens target[]).
  std::vector<std::size_t> targets;
  for (std::size_t i = 0; i < header.size(); ++i) {
    auto const h = to_lower(trim(header[i]));
    if (h.starts_with("target") && h.find("alternateid") != std::string::npos) targets.push_back(i);
  }
  while (csv.next(row)) {
    if (too_long(row, csv.line(), out)) continue;
    if (row.size() != header.size()) {
      out.skipped.push_back({csv.line(), fmt::format("{} cells where the header has {}", row.size(), header.size())});
      continue;
    }
    okta_event_fields f{.uuid = cell(row, uuid),
                        .published = cell(row, published),
                        .event_type = cell(row, event_type),
                        .result = cell(row, result)};
    for (std::size_t i = 0; i < row.size(); ++i) f.text += row[i] + " ";  // the reason and debugData columns
    for (auto i : targets)
      if (f.target_upn.empty() && row[i].find('@') != std::string::npos) f.target_upn = row[i];
    auto verdict = okta_push(f, "okta_csv", name);
    if (verdict.event) out.events.push_back(std::move(*verdict.event));
    else if (!verdict.error.empty()) out.skipped.push_back({csv.line(), std::move(verdict.error)});
    else ++out.other_events;
  }
}

void read_generic_csv(std::string_view text, std::string_view name, idp_read& out) {
  csv_reader csv(text);
  std::vector<std::string> header, row;
  if (!csv.next(header)) return;
  auto const time = column(header, "time"), user = column(header, "user"), status = column(header, "http_status"),
             code = column(header, "error_code"), message = column(header, "message");
  if (!time || !user || !status || !code || !message) {
    out.skipped.push_back({csv.line(), "the header is not time,user,http_status,error_code,message"});
    return;
  }
  while (csv.next(row)) {
    if (too_long(row, csv.line(), out)) continue;
    if (row.size() != header.size()) {
      out.skipped.push_back({csv.line(), fmt::format("{} cells where the header has {}", row.size(), header.size())});
      continue;
    }
    auto const when = normalize_time(cell(row, time));
    if (!when) {
      out.skipped.push_back({csv.line(), "time is not ISO 8601 (2026-11-23T09:30:00Z)"});
      continue;
    }
    auto const who = std::string(trim(cell(row, user)));
    if (who.empty()) {
      out.skipped.push_back({csv.line(), "user is empty (an Entra user id or user principal name)"});
      continue;
    }
    std::string const status_text(trim(cell(row, status)));  // a copy: cell() returns a temporary
    int http = 0;
    auto const [end, ec] = std::from_chars(status_text.data(), status_text.data() + status_text.size(), http);
    if (ec != std::errc() || end != status_text.data() + status_text.size() || http < 100 || http > 599) {
      out.skipped.push_back({csv.line(), "http_status is not an HTTP status (200 for a push that went through)"});
      continue;
    }
    auto const msg = cell(row, message);
    auto const failure = read_graph_failure(msg);
    bool const ok = http < 300;
    storage::idp_event_record e{.event_id = failure.request_id.empty()
                                                ? line_event_id(fmt::format("{}|{}|{}|{}|{}", cell(row, time), who,
                                                                            status_text, cell(row, code), msg))
                                                : "request-id:" + failure.request_id,
                                .source = "generic_csv",
                                .observed_at = *when,
                                .outcome = ok ? "success" : "failure",
                                .user_id = is_guid(who) ? to_lower(who) : std::string{},
                                .user_principal_name = is_guid(who) ? std::string{} : clean_text(who, 320),
                                .http_status = ok ? std::nullopt : std::optional<int>(http),
                                .error_code = ok ? std::string{} : clean_text(trim(cell(row, code)), 200),
                                .error_message = ok ? std::string{} : clean_text(trim(msg)),
                                .request_id = failure.request_id,
                                .event_type = {},
                                .ingested_from = std::string(name)};
    out.events.push_back(std::move(e));
  }
}

}  // namespace audit
