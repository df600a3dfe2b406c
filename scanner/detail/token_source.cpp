#include "scanner/detail/token_source.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/token_claims.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

namespace scanner {

namespace net = boost::asio;
constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

std::chrono::steady_clock::time_point renewal_time(std::chrono::steady_clock::time_point acquired,
                                                   std::chrono::seconds lifetime) {
  using std::chrono::milliseconds;
  auto const five_minutes_early = std::chrono::duration_cast<milliseconds>(lifetime - std::chrono::minutes(5));
  auto const eighty_percent = std::chrono::duration_cast<milliseconds>(lifetime) * 4 / 5;
  return acquired + std::max(five_minutes_early, eighty_percent);
}

void token_provider::log_signed_in() const { base::log(base::log_level::info, "signed in with {}", description()); }

token_source::token_source(std::unique_ptr<token_provider> provider, identity who)
    : provider_(std::move(provider)), signed_in_as_(std::move(who)) {}

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
    ++requests_;
    fetched = co_await provider_->fetch();
    if (fetched) last_error_.reset();
    else last_error_ = fetched.error();
  }
  if (!fetched) co_return fetched.error();
  token_ = std::move(*fetched);
  base::register_secret(token_->value, base::secret_kind::token);
  if (auto claims = decode_token_claims(token_->value)) {
    // A managed identity or the CLI names neither tenant nor application: the token does, for hints and `check`.
    if (signed_in_as_.tenant_id.empty()) signed_in_as_.tenant_id = claims->tid;
    if (signed_in_as_.client_id.empty()) signed_in_as_.client_id = claims->appid;
  }
  renew_at_ = renewal_time(started, token_->lifetime);
  if (!signed_in_) {
    signed_in_ = true;
    provider_->log_signed_in();
  }
  base::log(base::log_level::debug, "acquired a Graph token for app {} valid {} s", signed_in_as_.client_id,
            token_->lifetime.count());
  co_return ok_text(token_->value);
}

}  // namespace scanner
