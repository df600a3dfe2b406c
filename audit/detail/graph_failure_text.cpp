// The failure text is written for people (docs/graph.md §16): its fields are read by their names, in any order,
// and a field that is missing stays empty rather than failing the event.
#include "audit/detail/graph_failure_text.hpp"

#include "audit/detail/text.hpp"
#include "base/utc_time.hpp"
#include "base/utf8.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>

namespace audit {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The position right after "name=" where name starts a field (not inside another name such as client-request-id).
std::optional<std::size_t> field_value(std::string_view text, std::string_view name) {
  std::size_t from = 0;
  while (true) {
    auto const at = text.find(name, from);
    if (at == std::string_view::npos) return std::nullopt;
    bool const starts_field = at == 0 || text[at - 1] == ' ' || text[at - 1] == ',' || text[at - 1] == ';' ||
                              text[at - 1] == '\t' || text[at - 1] == '"' || text[at - 1] == '(';
    auto const eq = at + name.size();
    if (starts_field && eq < text.size() && text[eq] == '=') return eq + 1;
    from = at + 1;
  }
}

// The value at pos: quoted ("…" or '…') up to its closing quote, else up to the next space.
std::string value_at(std::string_view text, std::size_t pos) {
  if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
    char const quote = text[pos];
    auto const end = text.find(quote, pos + 1);
    return std::string(text.substr(pos + 1, end == std::string_view::npos ? std::string_view::npos : end - pos - 1));
  }
  auto end = text.find_first_of(" \t\r\n", pos);
  if (end == std::string_view::npos) end = text.size();
  auto v = text.substr(pos, end - pos);
  while (!v.empty() && (v.back() == ',' || v.back() == ';' || v.back() == '.')) v.remove_suffix(1);
  return std::string(v);
}

std::optional<int> status_at(std::string_view text, std::size_t pos) {
  int value = 0, digits = 0;
  while (pos < text.size() && is_digit(text[pos]) && digits < 4) value = value * 10 + (text[pos++] - '0'), ++digits;
  if (digits != 3 || value < 100 || value > 599) return std::nullopt;
  return value;
}

std::string user_id_of_url(std::string_view text) {
  static constexpr std::string_view action = "/microsoft.graph.assignLicense";
  auto const at = text.find(action);
  if (at == std::string_view::npos) return {};
  auto const slash = text.rfind('/', at == 0 ? 0 : at - 1);
  if (slash == std::string_view::npos) return {};
  auto const id = text.substr(slash + 1, at - slash - 1);
  // Only the users/<id> form names the user; a UPN in the URL is taken as it is (Graph accepts both).
  if (slash < 6 || text.substr(slash - 6, 6) != "/users") return {};
  return is_guid(id) ? to_lower(id) : std::string{};
}

}  // namespace

graph_failure_fields read_graph_failure(std::string_view text) {
  graph_failure_fields out;
  if (auto p = field_value(text, "httpStatusCode")) out.http_status = status_at(text, *p);
  if (!out.http_status) {
    static constexpr std::string_view phrase = "HTTP status code ";
    if (auto at = text.find(phrase); at != std::string_view::npos)
      out.http_status = status_at(text, at + phrase.size());
  }
  if (auto p = field_value(text, "errorCode")) out.error_code = clean_text(value_at(text, *p), 200);
  if (auto p = field_value(text, "errorMessage")) out.error_message = clean_text(value_at(text, *p));
  if (auto p = field_value(text, "request-id")) out.request_id = clean_text(value_at(text, *p), 100);
  if (auto p = field_value(text, "timestamp")) out.timestamp = value_at(text, *p);
  out.names_assign_license = text.find("microsoft.graph.assignLicense") != std::string_view::npos;
  out.user_id = user_id_of_url(text);
  return out;
}

std::optional<std::string> normalize_time(std::string_view text) {
  using namespace std::chrono;
  text = trim(text);
  auto num = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > text.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (!is_digit(text[i])) return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto const y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':')
    return std::nullopt;
  // An identity provider's event happens in our era: a year before 1970 or after 2200 is a typo (and beyond 1677
  // or 2262 the clock's nanoseconds would overflow, as the fuzzer found: tests/data/okta/fuzz-fuzz_idp_events-2.bin).
  if (*y < 1970 || *y > 2200) return std::nullopt;
  year_month_day const ymd{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    int scale = 100, digits = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      if (scale > 0) millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos, ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  minutes offset{0};
  std::string_view const zone = text.substr(pos);
  if (zone == "Z" || zone == "z" || zone.empty() || zone == " UTC") {
  } else if ((zone[0] == '+' || zone[0] == '-') && (zone.size() == 6 || zone.size() == 5)) {
    std::size_t const colon = zone.size() == 6 ? 1 : 0;
    auto const oh = num(pos + 1, 2), om = num(pos + 3 + colon, 2);
    if (!oh || !om || (colon == 1 && zone[3] != ':') || *oh > 23 || *om > 59) return std::nullopt;
    offset = minutes{(*oh * 60 + *om) * (zone[0] == '-' ? -1 : 1)};
  } else {
    return std::nullopt;
  }
  return base::utc_iso_millis(sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{std::min(*s, 59)} +
                              milliseconds{millis} - offset);
}

std::string line_event_id(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : trim(text)) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("line:{:016x}", h);
}

std::string clean_text(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t const n = base::utf8_sequence_length(text, i);
    std::string_view piece = n == 0 || static_cast<unsigned char>(text[i]) < 0x20 || text[i] == 0x7f
                                 ? std::string_view("\xEF\xBF\xBD")
                                 : text.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace audit
