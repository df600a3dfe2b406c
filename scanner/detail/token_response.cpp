#include "scanner/detail/token_response.hpp"

#include "base/redact.hpp"

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <charconv>
#include <vector>

namespace scanner {

base::result<access_token> parse_token_response(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return base::runtime_error("the token endpoint answered 200 with a body that is not a JSON object");
  auto const token = doc.FindMember("access_token");
  if (token == doc.MemberEnd() || !token->value.IsString() || token->value.GetStringLength() == 0)
    return base::runtime_error("the token endpoint answered 200 without an access_token");
  if (auto const type = doc.FindMember("token_type"); type != doc.MemberEnd() && type->value.IsString()) {
    std::string_view const t(type->value.GetString(), type->value.GetStringLength());
    if (t != "Bearer" && t != "bearer")
      return base::runtime_error(
          fmt::format("the token endpoint returned a '{}' token, expected Bearer", t.substr(0, 40)));
  }
  access_token out;
  out.value.assign(token->value.GetString(), token->value.GetStringLength());
  long long seconds = 3599;  // the documented default when expires_in is missing or odd
  if (auto const e = doc.FindMember("expires_in"); e != doc.MemberEnd()) {
    // v2 sends a number; v1 and some proxies send it as a string.
    if (e->value.IsInt64()) seconds = e->value.GetInt64();
    else if (e->value.IsString()) {
      std::string_view const s(e->value.GetString(), e->value.GetStringLength());
      std::from_chars(s.data(), s.data() + s.size(), seconds);
    }
  }
  out.lifetime = std::chrono::seconds{std::max(seconds, 1LL)};
  if (auto const r = doc.FindMember("refresh_token"); r != doc.MemberEnd() && r->value.IsString())
    out.refresh_token.assign(r->value.GetString(), r->value.GetStringLength());
  return out;
}

base::result<void> check_token_value(std::string_view value) {
  if (value.size() > max_access_token_size)
    return base::runtime_error(fmt::format(
        "the token endpoint returned an access token of {} bytes; at most {} fit in an HTTP header — check that "
        "--authority-host points at the Microsoft identity platform and that the app registration adds no large "
        "optional claims (docs/security.md)",
        value.size(), max_access_token_size));
  for (char c : value)
    if (c < 0x21 || c > 0x7E)
      return base::runtime_error(
          "the token endpoint returned an access token with a character no HTTP header may carry (a space, a "
          "control character or a non-ASCII byte) — check that --authority-host points at the Microsoft identity "
          "platform");
  return {};
}

namespace {

std::string first_line(std::string_view text) {
  auto const end = text.find_first_of("\r\n");
  return std::string(text.substr(0, end).substr(0, 300));
}

bool has(const std::vector<long long>& codes, std::initializer_list<long long> wanted) {
  for (auto c : codes)
    for (auto w : wanted)
      if (c == w) return true;
  return false;
}

}  // namespace

std::string describe_token_error(unsigned status, std::string_view body, const token_request_context& who) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  std::string error, description;
  std::vector<long long> codes;
  if (!doc.HasParseError() && doc.IsObject()) {
    if (auto m = doc.FindMember("error"); m != doc.MemberEnd() && m->value.IsString()) error = m->value.GetString();
    // Redacted before it is cut to one line: a cut secret would no longer be recognised (docs/security.md).
    if (auto m = doc.FindMember("error_description"); m != doc.MemberEnd() && m->value.IsString())
      description = base::redact(std::string_view(m->value.GetString(), m->value.GetStringLength()));
    if (auto m = doc.FindMember("error_codes"); m != doc.MemberEnd() && m->value.IsArray())
      for (auto const& c : m->value.GetArray())
        if (c.IsInt64()) codes.push_back(c.GetInt64());
  }
  std::string const app = who.client_id;
  std::string const code = codes.empty() ? std::string("token request") : fmt::format("AADSTS{}", codes.front());
  if (has(codes, {7000215}))
    return fmt::format("AADSTS7000215: invalid client secret — check AZURE_CLIENT_SECRET for app {}", app);
  if (has(codes, {7000222}))
    return fmt::format(
        "AADSTS7000222: the client secret of app {} has expired — create a new secret and update "
        "AZURE_CLIENT_SECRET",
        app);
  if (has(codes, {700016}))
    return fmt::format("AADSTS700016: app {} was not found in tenant {} — check AZURE_CLIENT_ID/AZURE_TENANT_ID", app,
                       who.tenant_id);
  if (has(codes, {90002}))
    return fmt::format("AADSTS90002: tenant {} was not found — check AZURE_TENANT_ID", who.tenant_id);
  if (has(codes, {70011}))
    return fmt::format("AADSTS70011: the scope is not valid for this cloud — check --cloud/--graph-endpoint ({})",
                       first_line(description));
  if (has(codes, {700027, 700024, 700023, 50012, 7000274, 7000277}))
    return fmt::format("{}: the client assertion was refused — check the certificate registered on app {} ({})", code,
                       app, first_line(description));
  if (has(codes, {70021, 700211, 700212, 700213, 700221, 700222, 700223}))
    return fmt::format(
        "{}: the federated token was refused — check the federated credential of app {} and "
        "AZURE_FEDERATED_TOKEN_FILE ({})",
        code, app, first_line(description));
  if (!description.empty()) return first_line(description);
  if (!error.empty())
    return fmt::format("token request to {} failed: {} {}", who.token_url, status, error.substr(0, 100));
  return fmt::format("token request to {} failed: HTTP {}", who.token_url, status);
}

base::service_reply token_error_reply(unsigned status, std::string_view body) {
  base::service_reply reply{status, {}, {}};
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return reply;
  if (auto m = doc.FindMember("error_codes");
      m != doc.MemberEnd() && m->value.IsArray() && !m->value.Empty() && m->value[0].IsInt64())
    reply.code = fmt::format("AADSTS{}", m->value[0].GetInt64());
  else if (auto e = doc.FindMember("error"); e != doc.MemberEnd() && e->value.IsString())
    reply.code = std::string(e->value.GetString(), e->value.GetStringLength()).substr(0, 100);
  if (auto t = doc.FindMember("trace_id"); t != doc.MemberEnd() && t->value.IsString())
    reply.request_id = std::string(t->value.GetString(), t->value.GetStringLength()).substr(0, 100);
  return reply;
}

}  // namespace scanner
