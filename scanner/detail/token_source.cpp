#include "scanner/detail/token_source.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/observe_attempt.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/detail/user_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <fmt/core.h>

#include <fstream>
#include <sstream>

namespace scanner {

namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

namespace {

// base::error is constructible from a string, so a result<std::string> must be told which side it holds.
base::result<std::string> ok_text(std::string s) { return {boost::system::in_place_value, std::move(s)}; }

}  // namespace

std::chrono::steady_clock::time_point renewal_time(std::chrono::steady_clock::time_point acquired,
                                                   std::chrono::seconds lifetime) {
  using std::chrono::milliseconds;
  auto const five_minutes_early = std::chrono::duration_cast<milliseconds>(lifetime - std::chrono::minutes(5));
  auto const eighty_percent = std::chrono::duration_cast<milliseconds>(lifetime) * 4 / 5;
  return acquired + std::max(five_minutes_early, eighty_percent);
}

token_source::token_source(connection_pool& pool, const connection_options& options, credentials creds,
                           std::optional<client_certificate> cert)
    : pool_(pool), options_(options), creds_(std::move(creds)), cert_(std::move(cert)) {
  // Registered before anything is sent: from here on no log record or error line can carry them.
  if (creds_.secret) base::register_secret(*creds_.secret, base::secret_kind::credential);
  if (creds_.certificate_password) base::register_secret(*creds_.certificate_password, base::secret_kind::credential);
  who_.tenant_id = creds_.tenant_id;
  who_.client_id = creds_.client_id;
  who_.credential_kind = creds_.secret ? "secret" : creds_.certificate_path ? "certificate" : "federated";
  who_.token_url = fmt::format("{}/{}/oauth2/v2.0/token", options_.authority_host, creds_.tenant_id);
  // graph_client::create validated the authority URL before building this.
  auto split = split_absolute_url(who_.token_url);
  if (split) {
    token_where_ = split->where;
    token_target_ = split->target;
  }
}

net::awaitable<base::result<std::string>> token_source::get() {
  if (token_ && std::chrono::steady_clock::now() < renew_at_) co_return ok_text(token_->value);
  co_return co_await refresh();
}

net::awaitable<base::result<std::string>> token_source::renew(std::string rejected) {
  if (token_ && token_->value != rejected && std::chrono::steady_clock::now() < renew_at_)
    co_return ok_text(token_->value);
  token_.reset();
  co_return co_await refresh();
}

net::awaitable<base::result<std::string>> token_source::refresh() {
  // One request at a time: the others wait for its outcome instead of asking the login service again.
  while (refreshing_) {
    auto timer =
        std::make_shared<net::steady_timer>(co_await net::this_coro::executor, net::steady_timer::time_point::max());
    waiters_.push_back(timer);
    co_await timer->async_wait(use_tuple);
    if (token_ && std::chrono::steady_clock::now() < renew_at_) co_return ok_text(token_->value);
    if (!refreshing_ && last_error_) co_return *last_error_;  // the shared request failed: fail alike, do not re-ask
  }
  refreshing_ = true;
  last_error_.reset();
  // Reset on every path, also when a stop cancels this coroutine mid-request, so that waiters never hang.
  struct refresh_guard {
    token_source* self;
    ~refresh_guard() {
      self->refreshing_ = false;
      for (auto& w : self->waiters_) w->cancel();
      self->waiters_.clear();
    }
  };
  auto const started = std::chrono::steady_clock::now();
  base::result<access_token> fetched = base::runtime_error("no token");
  {
    refresh_guard guard{this};
    fetched = co_await request_token();
    if (fetched) last_error_.reset();
    else last_error_ = fetched.error();
  }
  if (!fetched) co_return fetched.error();
  token_ = std::move(*fetched);
  base::register_secret(token_->value, base::secret_kind::token);
  renew_at_ = renewal_time(started, token_->lifetime);
  if (!signed_in_) {
    signed_in_ = true;
    log_sign_in();
  }
  base::log(base::log_level::debug, "acquired a Graph token for app {} valid {} s", creds_.client_id,
            token_->lifetime.count());
  co_return ok_text(token_->value);
}

void token_source::log_sign_in() const {
  std::string const source = creds_.credential_source.empty() ? std::string() : " (" + creds_.credential_source + ")";
  std::string_view const kind = creds_.secret             ? "client secret"
                                : creds_.certificate_path ? "certificate"
                                                          : "federated token";
  if (creds_.ignored_credentials.empty()) {
    base::log(base::log_level::debug, "signed in to tenant {} as app {} with a {}{}", creds_.tenant_id,
              creds_.client_id, kind, source);
    return;
  }
  std::string ignored;
  for (auto const& name : creds_.ignored_credentials) ignored += (ignored.empty() ? "" : ", ") + name;
  base::log(base::log_level::info,
            "signed in to tenant {} as app {} with a {}{}; ignored {} (Azure Identity's order: secret, certificate, "
            "federated token file)",
            creds_.tenant_id, creds_.client_id, kind, source, ignored);
}

base::result<std::string> token_source::credential_form() {
  if (creds_.secret) return ok_text("client_secret=" + form_encode(*creds_.secret));
  std::string assertion;
  if (cert_) {
    auto signed_jwt = cert_->make_assertion(creds_.client_id, who_.token_url, creds_.certificate_rs256,
                                            std::chrono::system_clock::now());
    if (!signed_jwt) return signed_jwt.error();
    assertion = std::move(*signed_jwt);
  } else if (creds_.federated_token_file) {
    // Re-read every time: the platform rotates the file (workload identity tokens live about an hour).
    std::ifstream in(*creds_.federated_token_file, std::ios::binary);
    if (!in)
      return base::runtime_error(fmt::format("cannot read the federated token file '{}' (AZURE_FEDERATED_TOKEN_FILE)",
                                             *creds_.federated_token_file));
    std::ostringstream text;
    text << in.rdbuf();
    assertion = text.str();
    while (!assertion.empty() && (assertion.back() == '\n' || assertion.back() == '\r' || assertion.back() == ' '))
      assertion.pop_back();
    if (assertion.empty())
      return base::runtime_error(fmt::format("the federated token file '{}' is empty (AZURE_FEDERATED_TOKEN_FILE)",
                                             *creds_.federated_token_file));
  } else {
    return base::usage_error(
        "no credential: set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or "
        "AZURE_FEDERATED_TOKEN_FILE");
  }
  base::register_secret(assertion, base::secret_kind::token);
  return ok_text("client_assertion_type=" + form_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                 "&client_assertion=" + form_encode(assertion));
}

net::awaitable<base::result<access_token>> token_source::request_token() {
  auto const scope = options_.scope.empty() ? options_.graph_endpoint + "/.default" : options_.scope;
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    // Built per attempt: an assertion is short-lived and the federated file may have been rotated.
    auto credential = credential_form();
    if (!credential) co_return credential.error();
    http::request<http::string_body> req{http::verb::post, token_target_, 11};
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, user_agent());
    req.set("client-request-id", new_guid());
    req.body() = "client_id=" + form_encode(creds_.client_id) + "&scope=" + form_encode(scope) +
                 "&grant_type=client_credentials&" + *credential;
    ++requests_;
    auto watched = watch_attempt(options_.observer, exchange_service::login, req, who_.token_url);
    auto response = co_await pool_.send(token_where_, std::move(req));
    show_attempt(options_.observer, watched, response);
    std::optional<std::chrono::milliseconds> retry_after;
    if (!response) {
      if (!response.error().retryable)
        co_return base::runtime_error(
            base::redact(fmt::format("cannot get a token from {}: {}", who_.token_url, response.error().message)));
      failure = response.error().message;
    } else if (response->status == 200) {
      auto token = parse_token_response(response->body);
      if (token) {
        if (auto usable = check_token_value(token->value); !usable) co_return usable.error();
        co_return token;
      }
      failure = token.error().message;
    } else if (response->status / 100 == 3) {
      std::optional<std::string_view> location;
      for (auto const& [name, value] : response->headers)
        if (name == "location") location = value;
      co_return base::service_error(describe_redirect(fmt::format("the token request to {}", who_.token_url),
                                                      response->status, location, redirected_service::login),
                                    {response->status, {}, {}});
    } else if (is_retryable_status(response->status)) {
      failure = fmt::format("HTTP {}", response->status);
      for (auto const& [name, value] : response->headers)
        if (name == "retry-after") retry_after = parse_retry_after(value, std::chrono::system_clock::now());
    } else {
      co_return base::service_error(base::redact(describe_token_error(response->status, response->body, who_)),
                                    token_error_reply(response->status, response->body));
    }
    if (attempt >= max_attempts)
      co_return base::runtime_error(base::redact(
          fmt::format("cannot get a token from {}: {} after {} attempts", who_.token_url, failure, attempt)));
    auto const delay = backoff_delay(attempt, retry_after, rng_, options_.backoff_base);
    base::log(base::log_level::warn, "token request to {} failed ({}); retrying in {:.1f} s (attempt {} of {})",
              who_.token_url, failure, std::chrono::duration<double>(delay).count(), attempt + 1, max_attempts);
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace scanner
