// Failure lines as Okta shows them in Tasks (docs/graph.md §6): "Automatic profile push of user <user> to app
// Microsoft Office 365 failed: … httpStatusCode=403 errorCode=… errorMessage="…" client-request-id=… request-id=…
// timestamp='…' method=POST url=https://graph.microsoft.com/v1.0/users/<id>/microsoft.graph.assignLicense".
#include "audit/detail/graph_failure_text.hpp"
#include "audit/detail/idp_readers.hpp"
#include "audit/detail/text.hpp"

#include <fmt/format.h>

namespace audit {
namespace {

// "push of user <user> to app": the user Okta names, when the URL names no id.
std::string pushed_user(std::string_view line) {
  static constexpr std::string_view before = "push of user ";
  auto const at = line.find(before);
  if (at == std::string_view::npos) return {};
  auto const start = at + before.size();
  auto const end = line.find(' ', start);
  return std::string(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

// A time at the start of the line (a copy from a log viewer): "2026-11-23T09:30:00Z …" or "2026-11-23 09:30:00 …".
std::optional<std::string> leading_time(std::string_view line) {
  for (std::size_t n : {30u, 29u, 25u, 24u, 23u, 20u, 19u})
    if (line.size() >= n)
      if (auto t = normalize_time(line.substr(0, n))) return t;
  return std::nullopt;
}

}  // namespace

void read_okta_text(std::string_view text, std::string_view name, idp_read& out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string_view const l = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (l.empty()) continue;
    if (l.size() > max_event_bytes) {
      out.skipped.push_back({line, fmt::format("a line of {} bytes, more than the {} bytes one failure can be",
                                               l.size(), max_event_bytes)});
      continue;
    }
    auto const f = read_graph_failure(l);
    if (!f.http_status && !f.names_assign_license) {
      out.skipped.push_back({line, "not a provisioning failure: no httpStatusCode= and no assignLicense URL"});
      continue;
    }
    auto when = normalize_time(f.timestamp);
    if (!when) when = leading_time(l);
    if (!when) {
      out.skipped.push_back({line, "the line has no time (timestamp='…', or an ISO 8601 time at its start)"});
      continue;
    }
    std::string const upn = f.user_id.empty() ? clean_text(pushed_user(l), 320) : std::string{};
    if (f.user_id.empty() && upn.empty()) {
      out.skipped.push_back({line, "the line names no user (no …/users/<id>/microsoft.graph.assignLicense URL)"});
      continue;
    }
    out.events.push_back({.event_id = f.request_id.empty() ? line_event_id(l) : "request-id:" + f.request_id,
                          .source = "okta_text",
                          .observed_at = *when,
                          .outcome = "failure",
                          .user_id = f.user_id,
                          .user_principal_name = upn,
                          .http_status = f.http_status,
                          .error_code = f.error_code,
                          .error_message = f.error_message,
                          .request_id = f.request_id,
                          .event_type = {},
                          .ingested_from = std::string(name)});
  }
}

}  // namespace audit
