#include "scanner/detail/device_code.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/login_post.hpp"
#include "scanner/detail/token_claims.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace scanner {

namespace net = boost::asio;

namespace {

constexpr std::string_view device_grant = "urn:ietf:params:oauth:grant-type:device_code";
// RFC 8628 §3.5: a slow_down answer adds 5 seconds to the polling interval for this and all later requests.
constexpr std::chrono::seconds slow_down_step{5};
// Bounds on what the service says: no busy polling, and no wait beyond an hour even if it says so.
constexpr std::chrono::seconds min_interval{1}, max_interval{60}, max_expiry{3600};

// The devicecode endpoint's answer (RFC 8628 §3.2; Entra adds `message`).
struct device_authorization {
  std::string device_code, user_code, verification_uri, message;
  std::chrono::seconds expires_in{900}, interval{5};
};

std::optional<device_authorization> parse_device_authorization(std::string_view body) {
  rapidjson::Document doc;
  if (!json::parse(doc, body, "device authorization") || !doc.IsObject()) return std::nullopt;
  device_authorization a;
  a.device_code = json::string_or_empty(doc, "device_code");
  a.user_code = json::string_or_empty(doc, "user_code");
  a.verification_uri = json::string_or_empty(doc, "verification_uri");
  a.message = json::string_or_empty(doc, "message");
  if (auto e = json::optional_int(doc, "expires_in")) a.expires_in = std::chrono::seconds{*e};
  if (auto i = json::optional_int(doc, "interval")) a.interval = std::chrono::seconds{*i};
  a.expires_in = std::clamp(a.expires_in, min_interval, max_expiry);
  a.interval = std::clamp(a.interval, min_interval, max_interval);
  if (a.device_code.empty() || a.user_code.empty() || a.verification_uri.empty()) return std::nullopt;
  return a;
}

// The OAuth `error` of a 4xx token answer (empty when there is none).
std::string oauth_error(std::string_view body) {
  rapidjson::Document doc;
  if (!json::parse(doc, body, "token error") || !doc.IsObject()) return {};
  return json::string_or_empty(doc, "error");
}

std::string first_line(std::string_view text) {
  return std::string(text.substr(0, text.find_first_of("\r\n")).substr(0, 300));
}

}  // namespace

std::string delegated_scopes(const std::string& graph_root) {
  return fmt::format("{0}/User.Read.All {0}/Organization.Read.All offline_access", graph_root);
}

device_code_provider::device_code_provider(connection_pool& pool, const connection_options& options,
                                           device_code_settings settings)
    : pool_(pool),
      options_(options),
      settings_(std::move(settings)),
      scope_(delegated_scopes(options_.graph_endpoint)),
      token_url_(fmt::format("{}/{}/oauth2/v2.0/token", options_.authority_host, settings_.tenant)) {}

std::string device_code_provider::description() const {
  std::string const who = user_.empty() ? std::string() : " of " + user_;
  return from_cache_ ? "the cached device-code sign-in" + who : "a device code" + who;
}

void device_code_provider::log_signed_in() const {
  std::string const known =
      settings_.client_id == default_public_client_id ? " (the Azure CLI's public client)" : std::string();
  base::log(base::log_level::info, "signed in with {} for app {}{}; the refresh token is kept in {}", description(),
            settings_.client_id, known, settings_.cache_dir);
}

base::result<access_token> device_code_provider::keep(base::result<access_token> token) {
  if (!token) return token;
  if (auto checked = check_token_value(token->value); !checked) return checked.error();
  base::register_secret(token->value, base::secret_kind::token);
  std::string home_tenant;
  if (auto claims = decode_token_claims(token->value)) {
    if (!claims->upn.empty()) user_ = claims->upn;
    home_tenant = claims->tid;
  }
  if (!token->refresh_token.empty()) {
    base::register_secret(token->refresh_token, base::secret_kind::token);
    refresh_token_ = std::move(token->refresh_token);
    token->refresh_token.clear();
    cached_sign_in const entry{options_.authority_host, settings_.tenant, settings_.client_id,
                               refresh_token_,          home_tenant,      user_};
    if (auto saved = save_sign_in(settings_.cache_dir, entry); !saved)
      base::log(base::log_level::warn, "the next run will ask to sign in again: {}", saved.error().message);
  }
  return token;
}

net::awaitable<base::result<access_token>> device_code_provider::fetch() {
  if (!refresh_token_.empty()) co_return co_await redeem(refresh_token_);
  if (!cache_checked_) {
    cache_checked_ = true;
    auto cached = load_sign_in(settings_.cache_dir, options_.authority_host, settings_.tenant, settings_.client_id);
    if (!cached) co_return cached.error();
    if (*cached) {
      from_cache_ = true;
      user_ = (*cached)->user;
      base::register_secret((*cached)->refresh_token, base::secret_kind::token);
      auto token = co_await redeem((*cached)->refresh_token);
      if (token || !refused_ || !settings_.can_prompt) co_return token;
      base::log(base::log_level::warn, "{}", token.error().message);
      from_cache_ = false;
    }
  }
  if (!settings_.can_prompt)
    co_return base::usage_error(fmt::format(
        "no cached sign-in for app {} in tenant {} and no terminal to show a device code on — run `entra-audit check "
        "--credential device-code` once in a terminal (or pass --credential device-code), or sign in with an "
        "application credential",
        settings_.client_id, settings_.tenant));
  co_return co_await sign_in_with_code();
}

net::awaitable<base::result<access_token>> device_code_provider::redeem(std::string refresh_token) {
  refused_ = false;
  auto const form = [&]() -> base::result<std::string> {
    return ok_text("client_id=" + form_encode(settings_.client_id) + "&grant_type=refresh_token&refresh_token=" +
                   form_encode(refresh_token) + "&scope=" + form_encode(scope_));
  };
  auto answer = co_await post_login_form(pool_, options_, token_url_, form, {}, rng_);
  if (!answer) co_return answer.error();
  if (answer->status / 100 == 2) co_return keep(parse_token_response(answer->body));
  token_request_context const who{settings_.tenant, settings_.client_id, "refresh token", token_url_};
  if (oauth_error(answer->body) != "invalid_grant")
    co_return base::service_error(base::redact(describe_token_error(answer->status, answer->body, who)),
                                  token_error_reply(answer->status, answer->body));
  // Expired, revoked or rotated elsewhere: useless from now on, so it goes, and the person must sign in again.
  refused_ = true;
  refresh_token_.clear();
  auto dropped = drop_sign_in(settings_.cache_dir, options_.authority_host, settings_.tenant, settings_.client_id);
  co_return base::service_error(
      base::redact(fmt::format("the cached sign-in for app {} in tenant {} was refused ({}){} — sign in again with "
                               "`entra-audit check --credential device-code` in a terminal",
                               settings_.client_id, settings_.tenant,
                               first_line(describe_token_error(answer->status, answer->body, who)),
                               dropped ? " and is deleted from the token cache" : "")),
      token_error_reply(answer->status, answer->body));
}

net::awaitable<base::result<access_token>> device_code_provider::sign_in_with_code() {
  std::string const url = fmt::format("{}/{}/oauth2/v2.0/devicecode", options_.authority_host, settings_.tenant);
  auto const request_form = [&]() -> base::result<std::string> {
    return ok_text("client_id=" + form_encode(settings_.client_id) + "&scope=" + form_encode(scope_));
  };
  auto const usable = [](std::string_view body) -> std::optional<std::string> {
    if (parse_device_authorization(body)) return std::nullopt;
    return std::string("the devicecode endpoint answered without device_code, user_code or verification_uri");
  };
  token_request_context const who{settings_.tenant, settings_.client_id, "device code", url};
  auto answer = co_await post_login_form(pool_, options_, url, request_form, usable, rng_);
  if (!answer) co_return answer.error();
  if (answer->status / 100 != 2)
    co_return base::service_error(base::redact(describe_token_error(answer->status, answer->body, who)),
                                  token_error_reply(answer->status, answer->body));
  auto code = *parse_device_authorization(answer->body);
  // Whoever holds the device code can redeem the person's tokens once they sign in.
  base::register_secret(code.device_code, base::secret_kind::credential);
  std::string const message = code.message.empty()
                                  ? fmt::format(
                                        "To sign in, use a web browser to open the page {} and enter the code {} to "
                                        "authenticate.",
                                        code.verification_uri, code.user_code)
                                  : first_line(code.message);
  base::print_outcome(base::log_level::warn, message);

  auto const started = std::chrono::steady_clock::now();
  auto const deadline = started + code.expires_in;
  auto interval = code.interval;
  auto const poll_form = [&]() -> base::result<std::string> {
    return ok_text("grant_type=" + form_encode(device_grant) + "&client_id=" + form_encode(settings_.client_id) +
                   "&device_code=" + form_encode(code.device_code));
  };
  token_request_context const poll_who{settings_.tenant, settings_.client_id, "device code", token_url_};
  auto const minutes = std::max<long long>(1, code.expires_in.count() / 60);
  for (;;) {
    auto const now = std::chrono::steady_clock::now();
    auto const wake = std::min<std::chrono::steady_clock::time_point>(now + interval, deadline);
    net::steady_timer timer(co_await net::this_coro::executor, wake);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    if (std::chrono::steady_clock::now() >= deadline)
      co_return base::runtime_error(fmt::format(
          "the device code expired before the sign-in was completed ({} s) — run again and enter the code within {} "
          "minute{}",
          code.expires_in.count(), minutes, minutes == 1 ? "" : "s"));
    auto polled = co_await post_login_form(pool_, options_, token_url_, poll_form, {}, rng_);
    if (!polled) co_return polled.error();
    if (polled->status / 100 == 2) co_return keep(parse_token_response(polled->body));
    std::string const error = oauth_error(polled->body);
    if (error == "authorization_pending") continue;
    if (error == "slow_down") {
      interval += slow_down_step;
      base::log(base::log_level::debug, "the login service asked to poll more slowly: every {} s now",
                interval.count());
      continue;
    }
    auto const reply = token_error_reply(polled->status, polled->body);
    if (error == "authorization_declined")
      co_return base::service_error(
          "the sign-in was declined in the browser (authorization_declined) — run again and approve the request, "
          "or sign in with another account",
          reply);
    if (error == "expired_token")
      co_return base::service_error(
          fmt::format("the device code expired before the sign-in was completed (expired_token) — run again and "
                      "enter the code within {} minute{}",
                      minutes, minutes == 1 ? "" : "s"),
          reply);
    if (error == "bad_verification_code")
      co_return base::service_error(
          "the login service did not recognise the device code (bad_verification_code) — run again for a new code",
          reply);
    co_return base::service_error(base::redact(describe_token_error(polled->status, polled->body, poll_who)), reply);
  }
}

}  // namespace scanner
