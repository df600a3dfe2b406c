// Okta System Log JSON. The file is cut into its top-level events before any is parsed, so that one bad event (a
// wrong type, invalid JSON, the end of a truncated download) is skipped with its line while every other is read.
#include "audit/detail/graph_failure_text.hpp"
#include "audit/detail/idp_readers.hpp"
#include "audit/detail/okta_event.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>

namespace audit {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where the JSON value starting at text[pos] ends (one past it), or npos when the text ends first. Strings and
// nesting are followed; the value itself is not checked (RapidJSON does that).
std::size_t value_end(std::string_view text, std::size_t pos) {
  char const first = text[pos];
  if (first != '{' && first != '[') {  // a scalar: up to the next separator
    if (first == '"') {
      for (std::size_t i = pos + 1; i < text.size(); ++i) {
        if (text[i] == '\\') ++i;
        else if (text[i] == '"') return i + 1;
      }
      return std::string_view::npos;
    }
    auto const end = text.find_first_of(",]}\r\n \t", pos);
    return end == std::string_view::npos ? text.size() : end;
  }
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = pos; i < text.size(); ++i) {
    char const c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string string_member(const rapidjson::Value& o, const char* name, std::string& error) {
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || it->value.IsNull()) return {};
  if (!it->value.IsString()) {
    error = fmt::format("{} is not a string", name);
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

// The fields of one LogEvent object, or the first wrong type found.
okta_event_fields fields_of(const rapidjson::Value& e, std::string& error) {
  okta_event_fields f;
  f.uuid = string_member(e, "uuid", error);
  f.published = string_member(e, "published", error);
  f.event_type = string_member(e, "eventType", error);
  f.text = string_member(e, "displayMessage", error);
  if (auto o = e.FindMember("outcome"); o != e.MemberEnd() && !o->value.IsNull()) {
    if (!o->value.IsObject()) error = "outcome is not an object";
    else {
      f.result = string_member(o->value, "result", error);
      f.text += " " + string_member(o->value, "reason", error);
    }
  }
  if (auto d = e.FindMember("debugContext"); d != e.MemberEnd() && d->value.IsObject())
    if (auto data = d->value.FindMember("debugData"); data != d->value.MemberEnd() && data->value.IsObject())
      for (const auto& m : data->value.GetObject())
        if (m.value.IsString()) f.text += std::string(" ") + m.value.GetString();
  if (auto t = e.FindMember("target"); t != e.MemberEnd() && !t->value.IsNull()) {
    if (!t->value.IsArray()) error = "target is not an array";
    else {
      std::string app_user, user;
      for (const auto& target : t->value.GetArray()) {
        if (!target.IsObject()) continue;
        std::string ignored;
        auto const type = string_member(target, "type", ignored);
        auto const id = string_member(target, "alternateId", ignored);
        if (type == "AppUser" && app_user.empty()) app_user = id;
        if (type == "User" && user.empty()) user = id;
      }
      f.target_upn = app_user.empty() ? user : app_user;
    }
  }
  return f;
}

void read_event(std::string_view json, std::size_t line, std::string_view name, idp_read& out) {
  if (json.size() > max_event_bytes) {
    out.skipped.push_back({line, fmt::format("an event of {} bytes, more than the {} bytes one LogEvent can be",
                                             json.size(), max_event_bytes)});
    return;
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag>(json.data(), json.size());
  if (doc.HasParseError()) {
    out.skipped.push_back({line, fmt::format("not valid JSON: {}", rapidjson::GetParseError_En(doc.GetParseError()))});
    return;
  }
  if (!doc.IsObject()) {
    out.skipped.push_back({line, "not a LogEvent object"});
    return;
  }
  std::string error;
  auto const fields = fields_of(doc, error);
  if (!error.empty()) {
    out.skipped.push_back({line, error});
    return;
  }
  auto verdict = okta_push(fields, "okta_log", name);
  if (verdict.event) out.events.push_back(std::move(*verdict.event));
  else if (!verdict.error.empty()) out.skipped.push_back({line, std::move(verdict.error)});
  else ++out.other_events;
}

// NDJSON: one event per line, each line on its own (a broken line never reaches into the next).
void read_lines(std::string_view text, std::string_view name, idp_read& out) {
  std::size_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string_view l = text.substr(pos, end - pos);
    while (!l.empty() && is_space(l.back())) l.remove_suffix(1);
    while (!l.empty() && is_space(l.front())) l.remove_prefix(1);
    if (!l.empty()) read_event(l, line, name, out);
    pos = end + 1;
  }
}

// An array of events, or objects one after another (pretty-printed); line counts where each event starts.
void read_values(std::string_view text, std::string_view name, idp_read& out) {
  std::size_t pos = 0, line = 1, counted = 0, ordinal = 0;
  auto line_at = [&](std::size_t p) {
    line += static_cast<std::size_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                                text.begin() + static_cast<std::ptrdiff_t>(p), '\n'));
    counted = p;
    return line;
  };
  auto skip = [&](bool commas) {
    while (pos < text.size() && (is_space(text[pos]) || (commas && text[pos] == ','))) ++pos;
  };
  skip(false);
  bool const array = pos < text.size() && text[pos] == '[';
  if (array) ++pos;
  while (true) {
    skip(array);
    if (pos >= text.size()) {
      if (array) out.skipped.push_back({line_at(pos), "the file ends before the array's closing ]: truncated?"});
      return;
    }
    if (array && text[pos] == ']') {
      ++pos;
      skip(false);
      if (pos < text.size()) out.skipped.push_back({line_at(pos), "text after the end of the array"});
      return;
    }
    std::size_t const start = pos;
    std::size_t const end = value_end(text, pos);
    if (end == std::string_view::npos) {
      out.skipped.push_back({line_at(start), "the file ends inside this event: truncated?"});
      return;
    }
    // A compact array (what the API returns) is one line: the event's place in it says which one it was.
    ++ordinal;
    auto const before = out.skipped.size();
    read_event(text.substr(start, end - start), line_at(start), name, out);
    if (out.skipped.size() > before)
      out.skipped.back().reason = fmt::format("event {}: {}", ordinal, out.skipped.back().reason);
    pos = std::max(end, start + 1);
  }
}

bool first_line_is_an_object(std::string_view text) {
  auto const start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || text[start] != '{') return false;
  auto const nl = text.find('\n', start);
  auto const first = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
  if (first.size() > max_event_bytes) return true;
  rapidjson::Document doc;
  doc.Parse(first.data(), first.size());
  return !doc.HasParseError() && doc.IsObject() && nl != std::string_view::npos;
}

}  // namespace

void read_okta_log(std::string_view text, std::string_view name, idp_read& out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (first_line_is_an_object(text)) read_lines(text, name, out);
  else read_values(text, name, out);
}

}  // namespace audit
