#include "scanner/detail/client_credentials.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/credential_chain.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/observe_attempt.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/detail/user_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/field.hpp>

#include <fmt/core.h>

#include <fstream>
#include <sstream>

namespace scanner {

namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

client_credentials_provider::client_credentials_provider(connection_pool& pool, const connection_options& options,
                                                         credentials creds, std::optional<client_certificate> cert)
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

std::string client_credentials_provider::description() const {
  std::string const kind = creds_.secret ? "the client secret"
                           : creds_.certificate_path
                               ? "the certificate " + *creds_.certificate_path
                               : "the federated token of " + creds_.federated_token_file.value_or("");
  return creds_.credential_source.empty() ? kind : fmt::format("{} ({})", kind, creds_.credential_source);
}

void client_credentials_provider::log_signed_in() const {
  if (!creds_.chosen_by.empty()) {
    log_credential_choice(creds_.chosen_by, creds_.skipped,
                          fmt::format("{} of app {} in tenant {}", description(), creds_.client_id, creds_.tenant_id));
    return;
  }
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

base::result<std::string> client_credentials_provider::credential_form() {
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

net::awaitable<base::result<access_token>> client_credentials_provider::fetch() {
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
