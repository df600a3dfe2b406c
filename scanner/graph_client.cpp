#include "scanner/graph_client.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/credential_chain.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/observe_attempt.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/detail/tls_context.hpp"
#include "scanner/detail/token_source.hpp"
#include "scanner/detail/user_agent.hpp"
#include "scanner/settings.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <random>

namespace scanner {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Redacted before it is cut: a cut secret (a hostile nextLink may carry one) would no longer be recognised.
std::string short_url(const std::string& url) {
  std::string text = base::redact(url);
  if (text.size() <= max_url_in_errors) return text;
  return text.substr(0, max_url_in_errors) + "…";
}

// The HTTP request for req with the bearer token and the Graph headers. Beast throws std::length_error for a field
// longer than its 16-bit limit: that becomes an error value here, never an exception inside a concurrent request
// (docs/security.md). Tokens are checked against that limit when they arrive; this is the second line.
base::result<http::request<http::string_body>> build_message(http::verb verb, const std::string& target,
                                                             const graph_request& req, const std::string& token) {
  try {
    http::request<http::string_body> msg{verb, target, 11};
    for (auto const& [name, value] : req.headers) msg.set(name, value);
    msg.set(http::field::authorization, "Bearer " + token);
    msg.set("x-ms-throttle-priority", "Low");
    msg.set("client-request-id", new_guid());
    msg.set(http::field::user_agent, user_agent());
    msg.set(http::field::accept, "application/json");
    if (!req.body.empty()) {
      if (msg[http::field::content_type].empty()) msg.set(http::field::content_type, "application/json");
      msg.body() = req.body;
    }
    return msg;
  } catch (std::exception const& e) {
    return base::runtime_error(fmt::format("cannot build the request: {}", e.what()));
  }
}

class client_impl final : public graph_client {
 public:
  client_impl(net::io_context& io, connection_options options, credentials creds,
              std::unique_ptr<net::ssl::context> tls, endpoint graph_where, std::optional<client_certificate> cert)
      : io_(io),
        options_(std::move(options)),
        creds_(std::move(creds)),
        tls_(std::move(tls)),
        graph_where_(std::move(graph_where)),
        pool_(io.get_executor(), *tls_,
              connection_settings{.timeout = options_.timeout,
                                  .connect_timeout = std::nullopt,
                                  .body_limit = max_response_body,
                                  .https_proxy = options_.https_proxy,
                                  .no_proxy = options_.no_proxy},
              options_.max_connections),
        tokens_(make_token_provider(pool_, io.get_executor(), *tls_, options_, creds_, std::move(cert)),
                {creds_.tenant_id, creds_.client_id}),
        created_(std::chrono::steady_clock::now()),
        rng_(std::random_device{}()) {}

  net::awaitable<base::result<graph_response>> send(graph_request req, body_check check) override;
  net::awaitable<base::result<std::string>> access_token() override { return tokens_.get(); }
  std::string credential_description() const override { return tokens_.description(); }
  std::string signed_in_tenant() const override { return tokens_.signed_in_as().tenant_id; }
  std::string signed_in_client() const override { return tokens_.signed_in_as().client_id; }

  void pause_for(std::chrono::milliseconds delay) override {
    auto const until = std::chrono::steady_clock::now() + std::min(delay, max_wait);
    if (until > pause_until_) pause_until_ = until;
  }

  client_stats stats() const override {
    client_stats s = stats_;
    s.token_requests = tokens_.requests();
    return s;
  }

  const std::string& graph_root() const override { return options_.graph_endpoint; }

 private:
  base::result<split_url> resolve(const std::string& url, std::string& absolute) const;
  net::awaitable<void> sleep(std::chrono::milliseconds delay);
  net::awaitable<void> wait_for_pause();
  std::optional<std::chrono::steady_clock::duration> deadline_left() const {
    if (options_.deadline.count() == 0) return std::nullopt;
    return created_ + options_.deadline - std::chrono::steady_clock::now();
  }

  net::io_context& io_;
  connection_options options_;
  credentials creds_;
  std::unique_ptr<net::ssl::context> tls_;
  endpoint graph_where_;
  connection_pool pool_;
  token_source tokens_;
  std::chrono::steady_clock::time_point created_;
  std::chrono::steady_clock::time_point pause_until_{};
  client_stats stats_;
  std::mt19937_64 rng_;
};

base::result<split_url> client_impl::resolve(const std::string& url, std::string& absolute) const {
  if (!url.empty() && url.front() == '/') {
    absolute = options_.graph_endpoint + url;
  } else {
    absolute = url;
  }
  auto split = split_absolute_url(absolute);
  if (!split) return split.error();
  // nextLinks come from the server: following one elsewhere would hand the bearer token to another host.
  if (!(split->where == graph_where_))
    return base::runtime_error(fmt::format("refusing to send a Graph token to {}: the link is not on the Graph host {}",
                                           split->where.origin(), graph_where_.origin()));
  return split;
}

net::awaitable<void> client_impl::sleep(std::chrono::milliseconds delay) {
  net::steady_timer timer(io_, delay);
  co_await timer.async_wait(use_tuple);
}

net::awaitable<void> client_impl::wait_for_pause() {
  // Graph's budget is per app and tenant: while any worker has been told to wait, every worker waits.
  while (std::chrono::steady_clock::now() < pause_until_) {
    net::steady_timer timer(io_, pause_until_);
    co_await timer.async_wait(use_tuple);
  }
}

net::awaitable<base::result<graph_response>> client_impl::send(graph_request req, body_check check) {
  std::string absolute;
  auto split = resolve(req.url, absolute);
  if (!split) co_return split.error();
  auto const verb = http::string_to_verb(req.method);
  if (verb == http::verb::unknown) co_return base::runtime_error(fmt::format("unknown HTTP method '{}'", req.method));
  std::string const what = fmt::format("{} {}", req.method, short_url(absolute));

  retry_counters counters;
  std::string last_token;
  auto const final_error = [&](unsigned status, const graph_error_body& body, std::string_view detail, int attempts) {
    std::string line = what + " failed: ";
    if (status != 0) line += std::to_string(status);
    if (!body.code.empty()) line += " " + body.code;
    if (!body.message.empty()) line += (status != 0 || !body.code.empty() ? ": " : "") + body.message;
    if (!detail.empty()) line += (status != 0 ? " " : "") + std::string(detail);
    if (attempts > 1) line += fmt::format(" after {} attempts", attempts);
    if (!body.request_id.empty()) line += fmt::format(" (request-id {})", body.request_id);
    auto const& who = tokens_.signed_in_as();
    auto const hint = hint_for_status(status, absolute, options_.authority_host, who.tenant_id, who.client_id);
    if (!hint.empty()) line += " — " + hint;
    return base::service_error(base::redact(std::move(line)), {status, body.code, body.request_id});
  };

  for (int attempt = 1;; ++attempt) {
    co_await wait_for_pause();
    auto token = co_await tokens_.get();
    if (!token) co_return token.error();
    last_token = *token;

    auto msg = build_message(verb, split->target, req, *token);
    if (!msg) co_return base::runtime_error(fmt::format("{}: {}", what, msg.error().message));
    ++stats_.requests;
    auto watched = watch_attempt(options_.observer, exchange_service::graph, *msg, absolute);
    auto raw = co_await pool_.send(graph_where_, std::move(*msg));
    show_attempt(options_.observer, watched, raw);

    attempt_facts facts;
    std::string failure;
    graph_error_body error_body;
    unsigned status = 0;  // the status the error names: none for a transport failure or a failed check
    graph_response response;
    if (!raw) {
      auto const state = co_await net::this_coro::cancellation_state;
      facts = {.got = attempt_facts::kind::transport_failed,
               .retryable = raw.error().retryable,
               .cancelled = state.cancelled() != net::cancellation_type::none};
      failure = raw.error().message;
    } else {
      facts.status = status = raw->status;
      response.status = raw->status;
      response.body = std::move(raw->body);
      response.headers = std::move(raw->headers);
      response.url = absolute;
      if (auto id = response.header("request-id")) response.request_id = std::string(*id);
      if (status / 100 == 2) {
        if (check) {
          if (auto checked = check(response); !checked) {
            facts.got = attempt_facts::kind::body_refused;
            failure = "invalid response body: " + checked.error().message;
            error_body.request_id = response.request_id;
            status = 0;
          }
        }
      } else {
        error_body = parse_graph_error(response.body);
        if (!response.request_id.empty()) error_body.request_id = response.request_id;
        if (auto ra = response.header("retry-after"))
          facts.retry_after = parse_retry_after(*ra, std::chrono::system_clock::now());
        if (status == 429) ++stats_.throttled;
      }
    }

    auto const decision =
        decide_retry(facts, counters, {.backoff_base = options_.backoff_base, .deadline_left = deadline_left()}, rng_);
    if (decision.pause_all) pause_for(decision.wait);
    switch (decision.action) {
      case retry_action::deliver:
        co_return response;
      case retry_action::abandon:
        co_return base::runtime_error(fmt::format("{}: cancelled", what));
      case retry_action::refuse_redirect:
        co_return base::service_error(
            describe_redirect(what, status, response.header("location"), redirected_service::graph),
            {status, error_body.code, error_body.request_id});
      case retry_action::renew_token: {
        ++stats_.retries;
        auto fresh = co_await tokens_.renew(last_token);
        if (!fresh) co_return fresh.error();
        continue;
      }
      case retry_action::fail:
        switch (decision.ended) {
          case retry_end::refused:
          case retry_end::out_of_attempts:
            co_return final_error(status, error_body, failure, attempt);
          case retry_end::throttled_too_long:
            co_return final_error(status, error_body,
                                  fmt::format("(throttled {} times in a row)", decision.throttled_waits), attempt);
          case retry_end::past_deadline:
            co_return final_error(status, error_body,
                                  fmt::format("{}(the --deadline of {} s ends before the next retry)",
                                              failure.empty() ? "" : failure + " ", options_.deadline.count()),
                                  attempt);
        }
        break;
      case retry_action::retry:
        break;
    }
    ++stats_.retries;
    // Every retry is told at the default level: a slow or failing service is never silence (docs/security.md).
    std::string const why = status != 0 ? fmt::format("{} {}", status, error_body.code) : failure;
    double const seconds = std::chrono::duration<double>(decision.wait).count();
    if (decision.throttled)
      base::log(base::log_level::warn, "{}: {}; waiting {:.1f} s as Retry-After asks (throttled {} time{}, {})", what,
                why, seconds, decision.throttled_waits, decision.throttled_waits == 1 ? "" : "s",
                options_.deadline.count() > 0 ? "up to the --deadline"
                                              : fmt::format("at most {} in a row", max_throttled_waits));
    else
      base::log(base::log_level::warn, "{}: {}; retrying in {:.1f} s (attempt {} of {})", what, why, seconds,
                decision.next_attempt, max_attempts);
    co_await sleep(decision.wait);
  }
}

}  // namespace

std::optional<std::string_view> graph_response::header(std::string_view name) const {
  for (auto const& [n, v] : headers)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

base::result<std::unique_ptr<graph_client>> graph_client::create(net::io_context& io, connection_options options,
                                                                 credentials creds) {
  auto graph = validate_service_url(options.graph_endpoint, "--graph-endpoint");
  if (!graph) return graph.error();
  options.graph_endpoint = *graph;
  auto authority = validate_service_url(options.authority_host, "--authority-host");
  if (!authority) return authority.error();
  options.authority_host = *authority;
  bool const app = creds.method == sign_in_method::app;
  if (app && creds.tenant_id.empty()) return base::usage_error("no tenant: set AZURE_TENANT_ID or pass --tenant-id");
  if (app && creds.client_id.empty())
    return base::usage_error("no application: set AZURE_CLIENT_ID or pass --client-id");
  int const kinds = int(creds.secret.has_value()) + int(creds.certificate_path.has_value()) +
                    int(creds.federated_token_file.has_value());
  if (app && kinds != 1)
    return base::usage_error(
        "exactly one credential is needed: AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH "
        "or AZURE_FEDERATED_TOKEN_FILE");
  std::optional<client_certificate> cert;
  if (creds.certificate_path) {
    auto loaded = client_certificate::load(*creds.certificate_path, creds.certificate_password);
    if (!loaded) return loaded.error();
    cert = std::move(*loaded);
  }
  auto tls = make_tls_context(options.ca_file);
  if (!tls) return tls.error();
  auto where = split_absolute_url(options.graph_endpoint);
  if (!where) return where.error();
  return std::unique_ptr<graph_client>(
      new client_impl(io, std::move(options), std::move(creds), std::move(*tls), where->where, std::move(cert)));
}

}  // namespace scanner
