#include "scanner/detail/observe_attempt.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <exception>

namespace scanner {
namespace {

std::string lower_copy(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

bool is_credential_header(std::string_view lower_name) {
  if (lower_name == "authorization" || lower_name == "proxy-authorization" || lower_name == "cookie" ||
      lower_name == "set-cookie")
    return true;
  for (std::string_view word : {"secret", "token", "assertion", "password", "api-key", "apikey"})
    if (lower_name.find(word) != std::string_view::npos) return true;
  return false;
}

std::string without_tokens(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "<removed: the token response is not a JSON object>";
  for (auto& m : doc.GetObject()) {
    std::string_view const name(m.name.GetString(), m.name.GetStringLength());
    bool const secret = (name.find("token") != std::string_view::npos && name != "token_type") || name == "device_code";
    if (secret && m.value.IsString()) m.value.SetString("<removed>", doc.GetAllocator());
  }
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  doc.Accept(writer);
  return std::string(text.GetString(), text.GetSize());
}

std::optional<watched_attempt> watch_attempt(const exchange_observer* observer, exchange_service service,
                                             const http::request<http::string_body>& msg, const std::string& url) {
  if (observer == nullptr || !observer->on_exchange) return std::nullopt;
  watched_attempt a;
  a.seen.service = service;
  a.seen.method = std::string(msg.method_string());
  a.seen.url = url;
  for (auto const& field : msg) {
    auto name = lower_copy(field.name_string());
    if (!is_credential_header(name)) a.seen.request_headers.emplace_back(std::move(name), std::string(field.value()));
  }
  // A token request's body is the credential itself (client_secret or client_assertion).
  if (service == exchange_service::graph) a.seen.request_body = msg.body();
  a.sent = std::chrono::steady_clock::now();
  return a;
}

void show_attempt(const exchange_observer* observer, std::optional<watched_attempt>& attempt,
                  const transport_result<raw_response>& outcome) {
  if (observer == nullptr || !observer->on_exchange || !attempt) return;
  auto& seen = attempt->seen;
  seen.elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - attempt->sent);
  if (!outcome) {
    seen.transport_error = base::redact(outcome.error().message);
  } else {
    seen.status = outcome->status;
    for (auto const& [name, value] : outcome->headers)
      if (!is_credential_header(name)) seen.response_headers.emplace_back(name, value);
    // A login answer's success carries the token; its errors (AADSTS bodies) carry none and are kept for replay.
    bool const token_answer = seen.service == exchange_service::login && outcome->status / 100 == 2;
    seen.body = base::redact(token_answer ? without_tokens(outcome->body) : outcome->body);
  }
  try {
    observer->on_exchange(seen);
  } catch (std::exception const& e) {
    base::log(base::log_level::debug, "the exchange observer failed: {}", e.what());
  }
  attempt.reset();
}

}  // namespace scanner
