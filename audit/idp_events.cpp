#include "audit/idp_events.hpp"

#include "audit/detail/idp_readers.hpp"
#include "audit/detail/text.hpp"
#include "audit/detail/text_file.hpp"

namespace audit {
namespace {

// The format the first bytes show: JSON starts with [ or {; Okta's CSV header names uuid and eventType; the generic
// CSV's starts with time,user; anything else is read as Okta's failure lines.
idp_format detect(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  auto const start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return idp_format::okta_text;
  if (text[start] == '[' || text[start] == '{') return idp_format::okta_log;
  auto const nl = text.find('\n', start);
  auto const first =
      to_lower(text.substr(start, nl == std::string_view::npos ? 4096 : std::min<std::size_t>(nl - start, 4096)));
  if (first.find("uuid") != std::string::npos && first.find("eventtype") != std::string::npos)
    return idp_format::okta_csv;
  if (first.starts_with("time,user,") || first.starts_with("\"time\",\"user\",")) return idp_format::generic_csv;
  return idp_format::okta_text;
}

}  // namespace

idp_read read_idp_events(std::string_view text, std::string_view name, idp_format format) {
  idp_read out;
  out.format = format == idp_format::detect ? detect(text) : format;
  switch (out.format) {
    case idp_format::okta_log:
      read_okta_log(text, name, out);
      break;
    case idp_format::okta_csv:
      read_okta_csv(text, name, out);
      break;
    case idp_format::generic_csv:
      read_generic_csv(text, name, out);
      break;
    case idp_format::okta_text:
    case idp_format::detect:
      read_okta_text(text, name, out);
      break;
  }
  return out;
}

base::result<idp_read> read_idp_events_file(const std::string& path, idp_format format) {
  auto text = read_text_file(path, "identity provider log");
  if (!text) return text.error();
  return read_idp_events(*text, path, format);
}

std::optional<idp_format> parse_idp_format(std::string_view name) {
  for (auto f :
       {idp_format::detect, idp_format::okta_log, idp_format::okta_csv, idp_format::okta_text, idp_format::generic_csv})
    if (to_string(f) == name) return f;
  return std::nullopt;
}

std::string_view to_string(idp_format format) {
  switch (format) {
    case idp_format::detect:
      return "auto";
    case idp_format::okta_log:
      return "okta-log";
    case idp_format::okta_csv:
      return "okta-csv";
    case idp_format::okta_text:
      return "okta-text";
    case idp_format::generic_csv:
      return "csv";
  }
  return "auto";
}

}  // namespace audit
