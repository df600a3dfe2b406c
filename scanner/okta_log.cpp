// The System Log is read with the scanner's transport (TLS verification, proxy, timeouts); Okta's paging and rate
// limit headers replace Graph's nextLink and Retry-After (docs/graph.md §16).
#include "scanner/okta_log.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/tls_context.hpp"
#include "scanner/detail/user_agent.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace scanner {
namespace {

namespace net = boost::asio;

// No single wait for Okta's rate limit is longer than this, whatever X-Rate-Limit-Reset says (as for Graph).
constexpr std::chrono::seconds max_wait{120};
constexpr int max_transport_failures = 3;

std::string query_encoded(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~')
      out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::optional<std::string_view> header(const raw_response& r, std::string_view name) {
  for (auto const& [n, v] : r.headers)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

// The URL of `<URL>; rel="next"` in the Link headers, if any.
std::optional<std::string> next_link(const raw_response& r) {
  for (auto const& [n, v] : r.headers) {
    if (n != "link") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto const open = rest.find('<'), close = rest.find('>');
      if (open == std::string_view::npos || close == std::string_view::npos || close < open) break;
      auto const url = rest.substr(open + 1, close - open - 1);
      auto const comma = rest.find(",", close);
      auto const params =
          rest.substr(close + 1, comma == std::string_view::npos ? std::string_view::npos : comma - close);
      if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos)
        return std::string(url);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  return std::nullopt;
}

// How long until X-Rate-Limit-Reset (epoch seconds), at least a second and at most max_wait.
std::chrono::milliseconds until_reset(const raw_response& r) {
  std::int64_t reset = 0;
  if (auto v = header(r, "x-rate-limit-reset")) std::from_chars(v->data(), v->data() + v->size(), reset);
  auto const now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  auto const wait = std::chrono::seconds{reset} - now;
  return std::clamp<std::chrono::milliseconds>(wait, std::chrono::seconds{1}, max_wait);
}

class reader {
 public:
  reader(net::io_context& io, net::ssl::context& tls, const okta_log_options& o,
         const std::function<base::result<void>(std::string_view)>& on_page)
      : io_(io),
        options_(o),
        on_page_(on_page),
        pool_(io.get_executor(), tls,
              connection_settings{.timeout = o.timeout,
                                  .connect_timeout = std::nullopt,
                                  .body_limit = std::size_t{64} << 20,
                                  .https_proxy = o.https_proxy,
                                  .no_proxy = o.no_proxy},
              1) {}

  net::awaitable<base::result<okta_log_summary>> run() {
    std::string base = options_.org_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto origin = split_absolute_url(base + "/");
    if (!origin) co_return base::usage_error(fmt::format("invalid --okta-org-url: {}", origin.error().message));
    if (!origin->where.tls && !is_loopback_host(origin->where.host))
      co_return base::usage_error(fmt::format(
          "invalid --okta-org-url '{}': plain http:// is accepted only for loopback hosts — use https://", base));
    std::string url = base + "/api/v1/logs?limit=1000&sortOrder=ASCENDING";
    if (!options_.filter.empty()) url += "&filter=" + query_encoded(options_.filter);
    if (!options_.since.empty()) url += "&since=" + query_encoded(options_.since);
    if (!options_.until.empty()) url += "&until=" + query_encoded(options_.until);

    okta_log_summary summary;
    int throttled_in_a_row = 0, failures = 0;
    while (true) {
      auto split = split_absolute_url(url);
      if (!split) co_return base::runtime_error(fmt::format("Okta's next page link: {}", split.error().message));
      if (!(split->where == origin->where))
        co_return base::runtime_error(
            fmt::format("Okta's next page link points to {}, not to {}: refused (the API token goes only to the org)",
                        split->where.origin(), origin->where.origin()));
      http::request<http::string_body> req{http::verb::get, split->target, 11};
      req.set(http::field::user_agent, user_agent());
      req.set(http::field::accept, "application/json");
      req.set(http::field::authorization, "SSWS " + options_.token);
      auto answer = co_await pool_.send(split->where, std::move(req));
      if (!answer) {
        if (!answer.error().retryable || ++failures >= max_transport_failures)
          co_return base::runtime_error(
              fmt::format("reading Okta's System Log at {}: {}", origin->where.origin(), answer.error().message));
        base::log(base::log_level::warn, "reading Okta's System Log: {} — trying again", answer.error().message);
        co_await wait(std::chrono::seconds{1});
        continue;
      }
      failures = 0;
      if (answer->status == 429) {
        ++summary.throttled;
        if (++throttled_in_a_row > options_.max_throttled_in_a_row)
          co_return base::runtime_error(
              fmt::format("Okta answered 429 {} times in a row: try again later", throttled_in_a_row));
        auto const pause = until_reset(*answer);
        base::log(base::log_level::warn, "Okta's rate limit (429): waiting {} ms for X-Rate-Limit-Reset",
                  pause.count());
        co_await wait(pause);
        continue;
      }
      throttled_in_a_row = 0;
      if (answer->status == 401 || answer->status == 403)
        co_return base::usage_error(fmt::format(
            "Okta refused the API token ({}): set OKTA_API_TOKEN to a token of an administrator who may read the "
            "System Log (Okta Admin Console: Security > API > Tokens)",
            answer->status));
      if (answer->status != 200)
        co_return base::runtime_error(
            fmt::format("Okta's System Log answered {} at {}", answer->status, origin->where.origin()));
      ++summary.pages;
      if (auto r = on_page_(answer->body); !r) co_return r.error();
      auto next = next_link(*answer);
      if (!next) co_return summary;
      url = *next;
      if (auto remaining = header(*answer, "x-rate-limit-remaining"); remaining && *remaining == "0")
        co_await wait(until_reset(*answer));
    }
  }

 private:
  net::awaitable<void> wait(std::chrono::milliseconds d) {
    net::steady_timer timer(io_, d);
    co_await timer.async_wait(net::use_awaitable);
  }

  net::io_context& io_;
  const okta_log_options& options_;
  const std::function<base::result<void>(std::string_view)>& on_page_;
  connection_pool pool_;
};

}  // namespace

base::result<okta_log_summary> read_okta_log(const okta_log_options& options,
                                             const std::function<base::result<void>(std::string_view body)>& on_page) {
  if (options.token.empty())
    return base::usage_error("no Okta API token: set OKTA_API_TOKEN (Okta Admin Console: Security > API > Tokens)");
  base::register_secret(options.token, base::secret_kind::credential);  // looked for in base64 too
  auto tls = make_tls_context(options.ca_file);
  if (!tls) return tls.error();
  net::io_context io;
  reader r(io, **tls, options, on_page);
  base::result<okta_log_summary> out = base::runtime_error("reading Okta's System Log did not finish");
  std::exception_ptr failure;
  net::co_spawn(io, r.run(), [&](std::exception_ptr e, base::result<okta_log_summary> value) {
    failure = e;
    if (!e) out = std::move(value);
  });
  io.run();
  if (failure) return base::internal_error(failure, "read Okta's System Log");
  return out;
}

}  // namespace scanner
