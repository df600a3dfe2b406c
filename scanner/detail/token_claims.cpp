#include "scanner/detail/token_claims.hpp"

#include "scanner/detail/encoding.hpp"
#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/json_read.hpp"

#include <array>
#include <utility>

namespace scanner {

std::optional<token_claims> decode_token_claims(std::string_view token) {
  auto const first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto const second = token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string payload;
  if (!base64url_decode(token.substr(first + 1, second - first - 1), payload)) return std::nullopt;
  rapidjson::Document doc;
  if (!json::parse(doc, payload, "token claims") || !doc.IsObject()) return std::nullopt;

  token_claims out;
  out.roles = json::string_array(doc, "roles");
  std::string const scopes = json::string_or_empty(doc, "scp");  // the views below point into it
  for (std::string_view scp = scopes; !scp.empty();) {
    auto const space = scp.find(' ');
    if (space != 0) out.scp.emplace_back(scp.substr(0, space));
    scp = space == std::string_view::npos ? std::string_view{} : scp.substr(space + 1);
  }
  out.tid = json::string_or_empty(doc, "tid");
  out.aud = json::string_or_empty(doc, "aud");
  out.iss = json::string_or_empty(doc, "iss");
  out.appid = json::string_or_empty(doc, "appid");
  if (out.appid.empty()) out.appid = json::string_or_empty(doc, "azp");  // v2.0 tokens
  out.upn = json::string_or_empty(doc, "upn");
  if (out.upn.empty()) out.upn = json::string_or_empty(doc, "preferred_username");
  if (auto exp = json::optional_int(doc, "exp"))
    out.expires = std::chrono::system_clock::time_point{std::chrono::seconds{*exp}};
  return out;
}

std::string cloud_of_issuer(std::string_view iss) {
  auto split = split_absolute_url(iss);
  if (!split) return {};
  // v1.0 tokens name the STS, v2.0 tokens the login host (docs/graph.md §11 lists the login hosts).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 5> hosts{{
      {"sts.windows.net", "global"},
      {"login.microsoftonline.com", "global"},
      {"login.microsoftonline.us", "usgov"},
      {"sts.chinacloudapi.cn", "china"},
      {"login.chinacloudapi.cn", "china"},
  }};
  std::string const host = json::lower(split->where.host);
  for (auto const& [name, cloud] : hosts)
    if (host == name) return std::string(cloud);
  return {};
}

}  // namespace scanner
