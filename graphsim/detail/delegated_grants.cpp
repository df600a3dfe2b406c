#include "graphsim/detail/delegated_grants.hpp"

#include "graphsim/detail/text.hpp"
#include "graphsim/detail/token_service.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <optional>

namespace graphsim {
namespace {

constexpr std::size_t max_pending_codes = 10000;  // beyond this, expired codes are swept
// A poll this much early still counts as on time: the client's timer and the network add jitter.
constexpr auto poll_slack = std::chrono::milliseconds(200);
constexpr std::string_view verification_uri = "https://microsoft.com/devicelogin";

grant_outcome failure(unsigned status, std::string error, unsigned aadsts, std::string description) {
  return {status, std::move(error), aadsts, std::move(description), {}};
}

std::string field(const form_fields& form, const char* name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

// Entra's user codes: 9 characters without look-alikes (no 0/O, 1/I).
std::string new_user_code(std::mt19937_64& rng) {
  constexpr std::string_view alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string code;
  for (int i = 0; i < 9; ++i) code += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
  return code;
}

// The delegated scopes of a request: one resource's permissions ("<resource>/User.Read.All", a bare name meaning
// Graph), or "<resource>/.default" for default_scopes; openid, profile and offline_access beside them.
std::optional<delegated_grant> parse_scopes(std::string_view text, const std::vector<std::string>& default_scopes) {
  delegated_grant g;
  std::string_view rest = trim(text);
  while (!rest.empty()) {
    auto const sp = rest.find(' ');
    std::string_view const one = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp + 1));
    if (one.empty() || iequals(one, "openid") || iequals(one, "profile")) continue;
    if (iequals(one, "offline_access")) {
      g.offline = true;
      continue;
    }
    auto const slash = one.rfind('/');
    std::string resource =
        slash == std::string_view::npos ? "https://graph.microsoft.com" : std::string(one.substr(0, slash));
    std::string_view const permission = slash == std::string_view::npos ? one : one.substr(slash + 1);
    while (!resource.empty() && resource.back() == '/') resource.pop_back();
    if (permission.empty() || !resource_is_valid(resource)) return std::nullopt;
    if (!g.resource.empty() && !iequals(g.resource, resource)) return std::nullopt;  // one resource per request
    g.resource = resource;
    if (iequals(permission, ".default")) g.scopes.insert(g.scopes.end(), default_scopes.begin(), default_scopes.end());
    else g.scopes.emplace_back(permission);
  }
  if (g.resource.empty()) return std::nullopt;
  return g;
}

bool is_public_client(const std::vector<std::string>& clients, std::string_view id) {
  return std::any_of(clients.begin(), clients.end(), [id](auto const& c) { return iequals(c, id); });
}

}  // namespace

delegated_grants::delegated_grants(std::chrono::seconds interval, std::chrono::seconds expiry,
                                   std::vector<std::string> public_clients, std::vector<std::string> default_scopes,
                                   std::uint64_t seed)
    : interval_(interval),
      expiry_(expiry),
      public_clients_(std::move(public_clients)),
      default_scopes_(std::move(default_scopes)),
      rng_(seed ^ 0x64657669636573ull) {}

grant_outcome delegated_grants::authorize_device(const form_fields& form, clock::time_point now) {
  std::string const client_id = field(form, "client_id");
  if (client_id.empty())
    return failure(400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'client_id'.");
  if (!is_public_client(public_clients_, client_id))
    return failure(400, "unauthorized_client", 700016,
                   "Application with identifier '" + client_id +
                       "' was not found in the directory, or is not a public client: device code sign-in needs "
                       "'Allow public client flows'.");
  auto grant = parse_scopes(field(form, "scope"), default_scopes_);
  if (!grant)
    return failure(400, "invalid_scope", 70011,
                   "The provided value for the input parameter 'scope' is not valid. The scope " +
                       field(form, "scope") + " is not valid.");
  grant->client_id = client_id;
  if (codes_.size() >= max_pending_codes)
    std::erase_if(codes_, [&](auto const& kv) { return kv.second.expires <= now; });
  std::string const device_code = random_token(rng_, 64);
  std::string const user_code = new_user_code(rng_);
  codes_[device_code] = pending_code{user_code, std::move(*grant), now + expiry_, now, interval_, code_state::waiting};
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  std::string const message =
      fmt::format("To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
                  verification_uri, user_code);
  w.StartObject();
  w.Key("user_code"), w.String(user_code.c_str());
  w.Key("device_code"), w.String(device_code.c_str());
  w.Key("verification_uri"),
      w.String(verification_uri.data(), static_cast<rapidjson::SizeType>(verification_uri.size()));
  w.Key("expires_in"), w.Int64(expiry_.count());
  w.Key("interval"), w.Int64(interval_.count());
  w.Key("message"), w.String(message.c_str());
  w.EndObject();
  return {200, {}, 0, {}, std::string(buffer.GetString(), buffer.GetSize())};
}

std::string delegated_grants::new_refresh_token(const delegated_grant& grant) {
  if (!grant.offline) return {};
  std::string token = "0.sim." + random_token(rng_, 96);
  refresh_[token] = grant;
  return token;
}

grant_outcome delegated_grants::redeem_device_code(const form_fields& form, clock::time_point now,
                                                   const mint_fn& mint) {
  std::string const device_code = field(form, "device_code");
  if (device_code.empty())
    return failure(400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'device_code'.");
  auto it = codes_.find(device_code);
  if (it == codes_.end() || !iequals(it->second.grant.client_id, field(form, "client_id")))
    return failure(400, "bad_verification_code", 70019, "The provided device code was not recognized.");
  pending_code& code = it->second;
  if (now >= code.expires) {
    codes_.erase(it);
    return failure(400, "expired_token", 70020, "The provided device code has expired. The user must sign in again.");
  }
  if (code.state == code_state::declined) {
    codes_.erase(it);
    return failure(400, "authorization_declined", 70000, "The end user denied the authorization request.");
  }
  bool const early = now + poll_slack < code.last_poll + code.interval;
  code.last_poll = now;
  if (early) {
    code.interval += std::chrono::seconds(5);  // RFC 8628 §3.5: the client adds 5 s; so does the expectation here
    return failure(400, "slow_down", 70016, "The client polls faster than the interval: slow down by 5 seconds.");
  }
  if (code.state == code_state::waiting)
    return failure(400, "authorization_pending", 70016,
                   "The provided request has not yet been authorized by the user. The user must input their code.");
  delegated_grant const grant = std::move(code.grant);
  codes_.erase(it);  // a device code is redeemed once
  return {200, {}, 0, {}, mint(grant, new_refresh_token(grant))};
}

grant_outcome delegated_grants::redeem_refresh_token(const form_fields& form, const mint_fn& mint) {
  std::string const token = field(form, "refresh_token");
  if (token.empty())
    return failure(400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'refresh_token'.");
  if (spent_.contains(token))
    return failure(400, "invalid_grant", 50173,
                   "The provided grant has expired due to it being revoked, a fresh auth token is needed.");
  auto it = refresh_.find(token);
  if (it == refresh_.end())
    return failure(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.");
  if (!iequals(it->second.client_id, field(form, "client_id")))
    return failure(400, "invalid_grant", 70000,
                   "The refresh token was issued to a different client id than the one in the request.");
  delegated_grant const grant = it->second;
  refresh_.erase(it);
  spent_.insert(token);
  return {200, {}, 0, {}, mint(grant, new_refresh_token(grant))};
}

bool delegated_grants::settle(std::string_view user_code, code_state to) {
  for (auto& [device_code, code] : codes_)
    if (iequals(code.user_code, user_code) && code.state == code_state::waiting) {
      code.state = to;
      return true;
    }
  return false;
}

bool delegated_grants::approve(std::string_view user_code) { return settle(user_code, code_state::approved); }

bool delegated_grants::decline(std::string_view user_code) { return settle(user_code, code_state::declined); }

std::size_t delegated_grants::revoke_refresh_tokens() {
  std::size_t const n = refresh_.size();
  for (auto const& [token, grant] : refresh_) spent_.insert(token);
  refresh_.clear();
  return n;
}

}  // namespace graphsim
