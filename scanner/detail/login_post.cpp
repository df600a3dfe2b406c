#include "scanner/detail/login_post.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/endpoint.hpp"
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

namespace scanner {

namespace net = boost::asio;

net::awaitable<base::result<login_answer>> post_login_form(connection_pool& pool, const connection_options& options,
                                                           const std::string& url, const login_form_fn& form,
                                                           const login_body_check& check, std::mt19937_64& rng) {
  auto split = split_absolute_url(url);
  if (!split)
    co_return base::usage_error(fmt::format("the login URL '{}' is not usable: {}", url, split.error().message));
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    auto body = form();
    if (!body) co_return body.error();
    http::request<http::string_body> req{http::verb::post, split->target, 11};
    req.set(http::field::content_type, "application/x-www-form-urlencoded");
    req.set(http::field::accept, "application/json");
    req.set(http::field::user_agent, user_agent());
    req.set("client-request-id", new_guid());
    req.body() = std::move(*body);
    auto watched = watch_attempt(options.observer, exchange_service::login, req, url);
    auto response = co_await pool.send(split->where, std::move(req));
    show_attempt(options.observer, watched, response);
    std::optional<std::chrono::milliseconds> retry_after;
    if (!response) {
      if (!response.error().retryable)
        co_return base::runtime_error(
            base::redact(fmt::format("cannot get a token from {}: {}", url, response.error().message)));
      failure = response.error().message;
    } else if (response->status / 100 == 2) {
      auto const bad = check ? check(response->body) : std::nullopt;
      if (!bad) co_return login_answer{response->status, std::move(response->body)};
      failure = *bad;
    } else if (response->status / 100 == 3) {
      std::optional<std::string_view> location;
      for (auto const& [name, value] : response->headers)
        if (name == "location") location = value;
      co_return base::service_error(describe_redirect(fmt::format("the token request to {}", url), response->status,
                                                      location, redirected_service::login),
                                    {response->status, {}, {}});
    } else if (is_retryable_status(response->status)) {
      failure = fmt::format("HTTP {}", response->status);
      for (auto const& [name, value] : response->headers)
        if (name == "retry-after") retry_after = parse_retry_after(value, std::chrono::system_clock::now());
    } else {
      co_return login_answer{response->status, std::move(response->body)};
    }
    if (attempt >= max_attempts)
      co_return base::runtime_error(
          base::redact(fmt::format("cannot get a token from {}: {} after {} attempts", url, failure, attempt)));
    auto const delay = backoff_delay(attempt, retry_after, rng, options.backoff_base);
    base::log(base::log_level::warn, "token request to {} failed ({}); retrying in {:.1f} s (attempt {} of {})", url,
              failure, std::chrono::duration<double>(delay).count(), attempt + 1, max_attempts);
    net::steady_timer timer(co_await net::this_coro::executor, delay);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }
}

}  // namespace scanner
