#include "scanner/graph_client.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/connection_pool.hpp"
#include "scanner/encoding.hpp"
#include "scanner/graph_error_text.hpp"
#include "scanner/observe_attempt.hpp"
#include "scanner/retry_policy.hpp"
#include "scanner/settings.hpp"
#include "scanner/tls_context.hpp"
#include "scanner/token_source.hpp"
#include "scanner/user_agent.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/core.h>

#include <random>

namespace scanner {

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
// Without --deadline, a request throttled this many times in a row is given up (30 × 120 s = 1 h at most), so that
// a server that never stops answering 429 cannot hold the scan forever.
constexpr int max_throttled_waits = 30;
constexpr std::size_t max_url_in_errors = 160;

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
              connection_settings{options_.timeout, std::size_t{64} << 20, options_.https_proxy, options_.no_proxy},
              options_.max_connections),
        tokens_(pool_, options_, creds_, std::move(cert)),
        created_(std::chrono::steady_clock::now()),
        rng_(std::random_device{}()) {}

  net::awaitable<base::result<graph_response>> send(graph_request req, body_check check) override;
  net::awaitable<base::result<std::string>> access_token() override { return tokens_.get(); }

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
  bool past_deadline(std::chrono::milliseconds wait) const {
    return options_.deadline.count() > 0 && std::chrono::steady_clock::now() + wait > created_ + options_.deadline;
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

  int failures = 0;        // attempts used up by 5xx, timeouts, resets and failed checks
  int throttled_waits = 0; // 429/503 with Retry-After: not counted against max_attempts
  bool renewed = false;
  std::string last_token;
  auto const final_error = [&](unsigned status, const graph_error_body& body, std::string_view detail,
                               int attempts) {
    std::string line = what + " failed: ";
    if (status != 0) line += std::to_string(status);
    if (!body.code.empty()) line += " " + body.code;
    if (!body.message.empty()) line += (status != 0 || !body.code.empty() ? ": " : "") + body.message;
    if (!detail.empty()) line += (status != 0 ? " " : "") + std::string(detail);
    if (attempts > 1) line += fmt::format(" after {} attempts", attempts);
    if (!body.request_id.empty()) line += fmt::format(" (request-id {})", body.request_id);
    auto const hint = hint_for_status(status, absolute, options_.authority_host, creds_.tenant_id, creds_.client_id);
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

    std::optional<std::chrono::milliseconds> retry_after;
    std::string failure;
    graph_error_body error_body;
    unsigned status = 0;
    if (!raw) {
      // Cancelled (a stop raced this request, scanner/race.hpp): whoever cancelled it no longer waits for it, and a
      // retry, or a warning about one, would only confuse the stop.
      auto const state = co_await net::this_coro::cancellation_state;
      if (state.cancelled() != net::cancellation_type::none)
        co_return base::runtime_error(fmt::format("{}: cancelled", what));
      if (!raw.error().retryable) co_return final_error(0, {}, raw.error().message, attempt);
      failure = raw.error().message;
    } else {
      status = raw->status;
      graph_response response;
      response.status = raw->status;
      response.body = std::move(raw->body);
      response.headers = std::move(raw->headers);
      response.url = absolute;
      if (auto id = response.header("request-id")) response.request_id = std::string(*id);
      if (status / 100 == 2) {
        if (!check) co_return response;
        auto checked = check(response);
        if (checked) co_return response;
        failure = "invalid response body: " + checked.error().message;
        error_body.request_id = response.request_id;
        status = 0;
      } else {
        error_body = parse_graph_error(response.body);
        if (!response.request_id.empty()) error_body.request_id = response.request_id;
        if (auto ra = response.header("retry-after"))
          retry_after = parse_retry_after(*ra, std::chrono::system_clock::now());
        if (status == 429) ++stats_.throttled;
        if (status / 100 == 3)
          co_return base::service_error(describe_redirect(what, status, response.header("location"),
                                                          redirected_service::graph),
                                        {status, error_body.code, error_body.request_id});
        if (status == 401 && !renewed) {
          // The token may have been revoked or expired early: renew once, then believe the 401.
          renewed = true;
          ++stats_.retries;
          auto fresh = co_await tokens_.renew(last_token);
          if (!fresh) co_return fresh.error();
          continue;
        }
        if (!is_retryable_status(status)) co_return final_error(status, error_body, "", attempt);
      }
    }

    std::chrono::milliseconds wait{0};
    bool const throttled = (status == 429 || status == 503) && retry_after.has_value();
    if (throttled) {
      wait = std::min(*retry_after, max_wait);
      if (++throttled_waits > max_throttled_waits && options_.deadline.count() == 0)
        co_return final_error(status, error_body, fmt::format("(throttled {} times in a row)", throttled_waits - 1),
                              attempt);
      pause_for(wait);
    } else {
      if (++failures >= max_attempts) co_return final_error(status, error_body, failure, attempt);
      wait = backoff_delay(failures, std::nullopt, rng_, options_.backoff_base);
      if (status == 429) pause_for(wait);  // throttled without Retry-After: slow everyone down too
    }
    if (past_deadline(wait))
      co_return final_error(status, error_body,
                            fmt::format("{}(the --deadline of {} s ends before the next retry)",
                                        failure.empty() ? "" : failure + " ", options_.deadline.count()),
                            attempt);
    ++stats_.retries;
    // Every retry is told at the default level: a slow or failing service is never silence (docs/security.md).
    std::string const why = status != 0 ? fmt::format("{} {}", status, error_body.code) : failure;
    double const seconds = std::chrono::duration<double>(wait).count();
    if (throttled)
      base::log(base::log_level::warn, "{}: {}; waiting {:.1f} s as Retry-After asks (throttled {} time{}, {})", what,
                why, seconds, throttled_waits, throttled_waits == 1 ? "" : "s",
                options_.deadline.count() > 0 ? "up to the --deadline"
                                              : fmt::format("at most {} in a row", max_throttled_waits));
    else
      base::log(base::log_level::warn, "{}: {}; retrying in {:.1f} s (attempt {} of {})", what, why, seconds,
                failures + 1, max_attempts);
    co_await sleep(wait);
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
  if (creds.tenant_id.empty()) return base::usage_error("no tenant: set AZURE_TENANT_ID or pass --tenant-id");
  if (creds.client_id.empty()) return base::usage_error("no application: set AZURE_CLIENT_ID or pass --client-id");
  int const kinds = int(creds.secret.has_value()) + int(creds.certificate_path.has_value()) +
                    int(creds.federated_token_file.has_value());
  if (kinds != 1)
    return base::usage_error("exactly one credential is needed: AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH "
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
