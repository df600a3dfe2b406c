#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <limits>
#include <vector>

namespace scanner::json {

namespace {

// Iterative parsing: a hostile body of nested brackets cannot exhaust the stack. The default
// MemoryPoolAllocator frees in bulk, so destroying a deep document does not recurse either.
constexpr unsigned parse_flags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

base::result<void> parse_outcome(const rapidjson::Document& doc, std::string_view body, std::string_view what) {
  if (doc.HasParseError()) {
    if (body.empty()) return base::runtime_error(fmt::format("cannot parse {}: the body is empty", what));
    return base::runtime_error(fmt::format("cannot parse {}: {} at offset {} of {} bytes", what,
                                           rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset(),
                                           body.size()));
  }
  return {};
}

// RapidJSON takes a NUL byte for the end of the input and would accept whatever follows a complete document; a
// raw NUL is not JSON anywhere (strings must escape it), so it is refused before parsing.
base::result<void> refuse_nul(std::string_view body, std::string_view what) {
  if (auto const at = body.find('\0'); at != std::string_view::npos)
    return base::runtime_error(
        fmt::format("cannot parse {}: a NUL byte at offset {} of {} bytes", what, at, body.size()));
  return {};
}

}  // namespace

base::result<void> parse(rapidjson::Document& doc, std::string_view body, std::string_view what) {
  if (auto r = refuse_nul(body, what); !r) return r;
  doc.Parse<parse_flags>(body.data(), body.size());
  return parse_outcome(doc, body, what);
}

base::result<void> parse_in_place(rapidjson::Document& doc, std::string_view body, std::string& buffer,
                                  std::string_view what) {
  if (auto r = refuse_nul(body, what); !r) return r;
  // RapidJSON's UTF-8 check takes all of a sequence's continuation bytes before judging them, and the in-place
  // stream does not stop at the end: a body ending in a lead byte was read up to three bytes past it (found by
  // fuzz_graph_page). Four NULs after the copy keep those reads inside the buffer; the first one ends the input.
  constexpr std::size_t padding = 4;
  buffer.clear();
  buffer.reserve(body.size() + padding);
  buffer.append(body);
  buffer.append(padding, '\0');
  doc.ParseInsitu<parse_flags>(buffer.data());
  return parse_outcome(doc, body, what);
}

const value* member(const value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (it->name.IsString() && std::string_view(it->name.GetString(), it->name.GetStringLength()) == key)
      return &it->value;
  }
  return nullptr;
}

namespace {
bool equal_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto const ca = static_cast<unsigned char>(a[i]);
    auto const cb = static_cast<unsigned char>(b[i]);
    if ((ca >= 'A' && ca <= 'Z' ? ca + 32 : ca) != (cb >= 'A' && cb <= 'Z' ? cb + 32 : cb)) return false;
  }
  return true;
}
}  // namespace

const value* member_nocase(const value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    if (equal_nocase(std::string_view(it->name.GetString(), it->name.GetStringLength()), key)) return &it->value;
  }
  return nullptr;
}

std::string string_or_empty(const value& obj, std::string_view key) {
  auto const* v = member(obj, key);
  if (v == nullptr || !v->IsString()) return {};
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<std::string> optional_string(const value& obj, std::string_view key) {
  auto const* v = member(obj, key);
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> optional_bool(const value& obj, std::string_view key) {
  auto const* v = member(obj, key);
  if (v == nullptr || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::optional<std::int64_t> optional_int(const value& obj, std::string_view key) {
  auto const* v = member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsDouble()) {
    double const d = v->GetDouble();
    // Only whole numbers that fit: a fractional or huge count is not a count.
    if (d >= -9.0e18 && d <= 9.0e18 && static_cast<double>(static_cast<std::int64_t>(d)) == d)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::vector<std::string> string_array(const value& obj, std::string_view key, bool lower_case) {
  std::vector<std::string> out;
  auto const* v = member(obj, key);
  if (v == nullptr || !v->IsArray()) return out;
  out.reserve(v->Size());
  for (auto const& item : v->GetArray()) {
    if (!item.IsString()) continue;
    std::string_view const s(item.GetString(), item.GetStringLength());
    out.push_back(lower_case ? lower(s) : std::string(s));
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool too_deep(const value& v) {
  struct frame {
    const value* v;
    std::size_t depth;
  };
  std::vector<frame> stack{{&v, 1}};
  while (!stack.empty()) {
    auto const [current, depth] = stack.back();
    stack.pop_back();
    if (!current->IsArray() && !current->IsObject()) continue;
    if (depth > max_depth) return true;
    if (current->IsArray()) {
      for (auto const& item : current->GetArray()) stack.push_back({&item, depth + 1});
    } else {
      for (auto it = current->MemberBegin(); it != current->MemberEnd(); ++it) stack.push_back({&it->value, depth + 1});
    }
  }
  return false;
}

std::string serialize(const value& v) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  v.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace scanner::json
