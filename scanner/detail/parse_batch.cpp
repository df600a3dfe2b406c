#include "scanner/detail/parse_batch.hpp"

#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace scanner {
namespace {

constexpr std::string_view what = "$batch response";

base::error item_error(std::size_t index, std::string_view problem) {
  return base::runtime_error(fmt::format("cannot read {}: item #{} {}", what, index, problem));
}

// A scalar JSON value as text (ids and header values are strings, but numbers are tolerated).
std::optional<std::string> scalar_text(const json::value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNumber() || v.IsBool()) return json::serialize(v);
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> batch_item_response::header(std::string_view name) const {
  for (auto const& [key, value] : headers) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::string batch_request_body(std::span<const batch_request_item> items) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("requests");
  w.StartArray();
  for (auto const& item : items) {
    w.StartObject();
    w.Key("id");
    w.String(item.id.data(), static_cast<rapidjson::SizeType>(item.id.size()));
    w.Key("method");
    w.String("GET");
    w.Key("url");
    w.String(item.url.data(), static_cast<rapidjson::SizeType>(item.url.size()));
    if (!item.headers.empty()) {
      w.Key("headers");
      w.StartObject();
      for (auto const& [name, value] : item.headers) {
        w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

base::result<std::vector<batch_item_response>> parse_batch_response(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  auto const* items = doc.IsObject() ? json::member(doc, "responses") : nullptr;
  if (items == nullptr || !items->IsArray())
    return base::runtime_error(fmt::format("cannot read {}: it has no \"responses\" array", what));
  std::vector<batch_item_response> out;
  out.reserve(items->Size());
  std::size_t index = 0;
  for (auto const& item : items->GetArray()) {
    ++index;
    if (!item.IsObject()) return item_error(index, "is not a JSON object");
    batch_item_response response;
    auto const* id = json::member(item, "id");
    auto id_text = id != nullptr ? scalar_text(*id) : std::nullopt;
    if (!id_text) return item_error(index, "has no id");
    response.id = std::move(*id_text);
    auto const status = json::optional_int(item, "status");
    if (!status || *status < 100 || *status > 599) return item_error(index, "has no valid HTTP status");
    response.status = static_cast<unsigned>(*status);
    if (auto const* headers = json::member(item, "headers"); headers != nullptr && headers->IsObject()) {
      for (auto it = headers->MemberBegin(); it != headers->MemberEnd(); ++it) {
        auto value = scalar_text(it->value);
        if (!value) continue;
        response.headers.emplace_back(json::lower({it->name.GetString(), it->name.GetStringLength()}),
                                      std::move(*value));
      }
    }
    if (auto const* item_body = json::member(item, "body"); item_body != nullptr && !item_body->IsNull()) {
      if (item_body->IsString()) {
        response.body.assign(item_body->GetString(), item_body->GetStringLength());
      } else {
        // Serialising recurses: refuse absurd nesting rather than risk the stack on a hostile body.
        if (json::too_deep(*item_body)) return item_error(index, "has a body nested too deeply");
        response.body = json::serialize(*item_body);
      }
    }
    out.push_back(std::move(response));
  }
  return out;
}

std::vector<const batch_item_response*> answers_by_request(std::span<const batch_item_response> answers,
                                                           std::size_t n) {
  std::vector<const batch_item_response*> out(n, nullptr);
  for (const auto& r : answers) {
    std::size_t index = 0;
    auto const [end, ec] = std::from_chars(r.id.data(), r.id.data() + r.id.size(), index);
    if (ec != std::errc{} || end != r.id.data() + r.id.size() || index < 1 || index > n || out[index - 1] != nullptr)
      continue;
    out[index - 1] = &r;
  }
  return out;
}

}  // namespace scanner
