#include "scanner/tenant_check.hpp"

#include "base/internal_error.hpp"
#include "base/log.hpp"
#include "scanner/detail/batch.hpp"
#include "scanner/detail/connection_pool.hpp"
#include "scanner/detail/fetch_doors.hpp"
#include "scanner/detail/fetch_groups.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/parse_batch.hpp"
#include "scanner/detail/parse_doors.hpp"
#include "scanner/detail/parse_tenant.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/detail/shard_plan.hpp"
#include "scanner/detail/tls_context.hpp"
#include "scanner/detail/user_agent.hpp"
#include "scanner/detail/users_chain.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fmt/core.h>

#include <chrono>
#include <exception>

namespace scanner {
namespace {

using namespace std::chrono_literals;

// A host that does not answer within this long is reported at once: the check must end in seconds against a
// dead endpoint, and the sign-in and probes behind it would only wait and retry the same way.
constexpr std::chrono::milliseconds reach_timeout = 10s;
// A probe still unanswered after this long is being retried by the client: say so on stderr.
constexpr auto slow_probe_notice = 3s;

probe_answer answer_of(const base::error& e) {
  return {e.reply.http_status, e.reply.code, e.reply.request_id, e.message, {}, true};
}

probe_answer answer_of(const graph_response& r) { return {r.status, {}, r.request_id, {}, r.body, true}; }

// The scan's request with a page of one user: $top=N becomes $top=1, the rest is sent as the scan sends it.
std::string with_top_1(std::string url) {
  auto const at = url.find("$top=");
  if (at == std::string::npos) return url + (url.find('?') == std::string::npos ? "?$top=1" : "&$top=1");
  auto const end = url.find('&', at);
  url.replace(at, (end == std::string::npos ? url.size() : end) - at, "$top=1");
  return url;
}

std::string credential_kind(const credentials& c) {
  if (c.secret) return "the client secret";
  if (c.certificate_path) return fmt::format("the certificate {}", *c.certificate_path);
  if (c.federated_token_file) return fmt::format("the federated token of {}", *c.federated_token_file);
  return "the credential";
}

// The default verified domain of GET /organization's first item; empty when not listed.
std::string default_domain(std::string_view body) {
  rapidjson::Document doc;
  if (!json::parse(doc, body, "organization")) return {};
  auto const* items = json::member(doc, "value");
  if (items == nullptr || !items->IsArray() || items->Empty()) return {};
  auto const* domains = json::member((*items)[0], "verifiedDomains");
  if (domains == nullptr || !domains->IsArray()) return {};
  for (auto const& d : domains->GetArray())
    if (json::optional_bool(d, "isDefault").value_or(false)) return json::string_or_empty(d, "name");
  return {};
}

// Logs, when a probe has no final answer after a few seconds, that the client is retrying it and how.
class slow_notice {
 public:
  slow_notice(net::any_io_executor ex, std::string what) : timer_(ex, slow_probe_notice) {
    timer_.async_wait([what = std::move(what)](const boost::system::error_code& ec) {
      if (ec) return;
      base::log(base::log_level::info,
                "{}: no final answer yet; retrying as a scan would (429/503 after Retry-After, at most {} s each; "
                "5xx, timeouts and resets up to {} attempts with back-off)",
                what, max_wait.count() / 1000, max_attempts);
    });
  }
  ~slow_notice() { timer_.cancel(); }
  slow_notice(const slow_notice&) = delete;
  slow_notice& operator=(const slow_notice&) = delete;

 private:
  net::steady_timer timer_;
};

struct reach_answer {
  probe_answer answer;
  std::optional<std::string> date;
  std::chrono::milliseconds elapsed{0};
};

class check_run {
 public:
  check_run(net::io_context& io, const check_options& o, graph_client& client, connection_pool& reach_pool)
      : io_(io), options_(o), client_(client), reach_pool_(reach_pool) {
    ctx_.graph_endpoint = o.connection.graph_endpoint;
    ctx_.authority_host = o.connection.authority_host;
    ctx_.tenant_id = o.creds.tenant_id;
    ctx_.client_id = o.creds.client_id;
    ctx_.https_proxy = o.connection.https_proxy;
    ctx_.no_proxy = o.connection.no_proxy;
    ctx_.mode = o.mode;
    ctx_.delegated = o.creds.method == sign_in_method::device_code;
  }

  std::vector<check_row> rows;

  net::awaitable<void> run() {
    // Unauthenticated, once each and side by side: any HTTP answer proves the host is reachable (and carries a
    // Date); a host that is down costs reach_timeout at most.
    // Named locals, not temporaries, as co_await arguments: g++ 12 mis-destroys temporaries there.
    std::string const login_url = fmt::format("{}/{}/v2.0/.well-known/openid-configuration", ctx_.authority_host,
                                              ctx_.tenant_id.empty() ? std::string("organizations") : ctx_.tenant_id);
    std::string const graph_url = ctx_.graph_endpoint + "/v1.0/organization";
    using namespace boost::asio::experimental::awaitable_operators;
    auto reaching_login = reach(login_url);
    auto reaching_graph = reach(graph_url);
    auto [login, graph] = co_await (std::move(reaching_login) && std::move(reaching_graph));
    rows.push_back(reach_row("login host", login_url, login));
    rows.push_back(reach_row("Graph host", graph_url, graph));
    if (login.answer.status == 0 || graph.answer.status == 0) co_return;
    bool const graph_dated = graph.date.has_value();
    rows.push_back(clock_row(graph_dated ? graph.date : login.date,
                             graph_dated ? ctx_.graph_endpoint : ctx_.authority_host,
                             std::chrono::system_clock::now()));

    std::optional<std::string> token;
    {
      slow_notice notice(io_.get_executor(), "sign-in at " + ctx_.authority_host);
      auto got = co_await client_.access_token();
      if (!got) {
        rows.push_back(options_.creds.method == sign_in_method::app
                           ? sign_in_row(answer_of(got.error()), credential_kind(options_.creds), ctx_)
                           : platform_sign_in_failed(got.error()));
        co_return;
      }
      token = std::move(*got);
    }
    ctx_.tenant_id = client_.signed_in_tenant();
    ctx_.client_id = client_.signed_in_client();
    rows.push_back(options_.creds.method == sign_in_method::app
                       ? sign_in_row({200, {}, {}, {}, {}, true}, credential_kind(options_.creds), ctx_)
                       : check_row{"sign-in",
                                   verdict::ok,
                                   fmt::format("signed in with {} as app {} of tenant {}",
                                               client_.credential_description(), ctx_.client_id, ctx_.tenant_id),
                                   {},
                                   {},
                                   {}});
    rows.push_back(token_row(decode_token_claims(*token), ctx_, std::chrono::system_clock::now()));
    token.reset();

    co_await probe_tenant();
    auto first_user = co_await probe_users();
    // Without a user to ask about (the listing failed) there is nothing to probe: that failure is reported.
    if (options_.mode == license_details_mode::fetch && first_user) co_await probe_license_details(*first_user);
    co_await probe_doors();
    co_await probe_groups();
  }

 private:
  net::awaitable<reach_answer> reach(const std::string& url) {
    reach_answer out;
    auto split = split_absolute_url(url);
    if (!split) {
      out.answer.message = split.error().message;
      co_return out;
    }
    http::request<http::string_body> req{http::verb::get, split->target, 11};
    req.set(http::field::user_agent, user_agent());
    req.set(http::field::accept, "application/json");
    auto const started = std::chrono::steady_clock::now();
    auto raw = co_await reach_pool_.send(split->where, std::move(req));
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!raw) {
      out.answer.message = raw.error().message;
      out.answer.retryable = raw.error().retryable;
      co_return out;
    }
    out.answer.status = raw->status;
    for (auto const& [name, value] : raw->headers)
      if (name == "date") out.date = value;
    co_return out;
  }

  // A managed identity or the Azure CLI gave no token: its error line holds the cause and, after " — ", the fix.
  check_row platform_sign_in_failed(const base::error& e) const {
    auto const dash = e.message.find(" — ");
    return {"sign-in",
            verdict::fail,
            fmt::format("{}: {}", client_.credential_description(), e.message.substr(0, dash)),
            dash == std::string::npos ? std::string() : e.message.substr(dash + std::string_view(" — ").size()),
            {},
            {}};
  }

  check_row reach_row(std::string check, const std::string& url, const reach_answer& r) {
    if (r.answer.status == 0)
      return {std::move(check), verdict::fail, r.answer.message, unreachable_fix(r.answer, url, ctx_), {},
              "GET " + url};
    auto const split = split_absolute_url(url);
    return {std::move(check),
            verdict::ok,
            fmt::format("{} answered (HTTP {} without a token) in {} ms", split ? split->where.origin() : url,
                        r.answer.status, r.elapsed.count()),
            {},
            {},
            "GET " + url};
  }

  // Sends req through the client (its token, timeouts and retries); parse, when given, must accept the body.
  template <class Parse>
  net::awaitable<probe_answer> probe(const graph_request& req, Parse parse) {
    slow_notice notice(io_.get_executor(), req.method + " " + req.url);
    body_check check = [parse](const graph_response& r) -> base::result<void> {
      auto parsed = parse(std::string_view(r.body));
      if (!parsed) return parsed.error();
      return {};
    };
    auto const retries_before = client_.stats().retries;
    auto sending = client_.send(req, std::move(check));
    auto sent = co_await std::move(sending);
    retried_ = client_.stats().retries - retries_before;
    co_return sent ? answer_of(*sent) : answer_of(sent.error());
  }

  // Adds the row of the last probe, saying how often the client retried it.
  void add(check_row row) {
    if (retried_ > 0) row.detail += fmt::format(" (after {} retr{})", retried_, retried_ == 1 ? "y" : "ies");
    retried_ = 0;
    rows.push_back(std::move(row));
  }

  net::awaitable<void> probe_tenant() {
    // As fetch_tenant.cpp sends them, with verifiedDomains added to show the tenant's default domain.
    std::string const org_url = "/v1.0/organization?$select=id,displayName,verifiedDomains";
    graph_request const org_req{"GET", org_url, {}, {}};
    auto org = co_await probe(org_req, parse_organization);
    std::string org_detail;
    if (auto parsed = org.ok() ? parse_organization(org.body) : base::runtime_error("no answer")) {
      auto const domain = default_domain(org.body);
      org_detail = fmt::format("{} ({}){}", parsed->display_name, parsed->tenant_id,
                               domain.empty() ? "" : ", default domain " + domain);
    }
    add(probe_row("organization", "GET " + org_url, org, org_detail, ctx_));

    std::string const skus_url = "/v1.0/subscribedSkus";
    graph_request const skus_req{"GET", skus_url, {}, {}};
    auto skus = co_await probe(skus_req, parse_subscribed_skus);
    auto const sku_page = skus.ok() ? parse_subscribed_skus(skus.body) : base::runtime_error("no answer");
    add(probe_row("subscribedSkus", "GET " + skus_url, skus,
                  fmt::format("{} SKUs", sku_page ? sku_page->skus.size() : 0), ctx_));
    if (sku_page)
      for (auto const& sku : sku_page->skus)
        if (is_lower_case_guid(sku.sku_id)) {
          group_probe_sku_ = sku.sku_id;
          break;
        }

    std::string const subs_url = "/v1.0/directory/subscriptions";
    graph_request const subs_req{"GET", subs_url, {}, {}};
    auto subs = co_await probe(subs_req, parse_subscriptions);
    auto const sub_page = subs.ok() ? parse_subscriptions(subs.body) : base::runtime_error("no answer");
    add(probe_row("directory/subscriptions", "GET " + subs_url, subs,
                  fmt::format("{} subscriptions", sub_page ? sub_page->subscriptions.size() : 0), ctx_));
  }

  // The users probes; returns the id of the first user listed (for licenseDetails): nullopt when the listing
  // failed, empty when it lists nobody.
  net::awaitable<std::optional<std::string>> probe_users() {
    std::string const users_url = with_top_1(first_users_url());
    graph_request const users_req{"GET", users_url, {}, {}};
    auto users = co_await probe(users_req, parse_user_page);
    std::optional<std::string> first_user;
    if (users.ok()) first_user.emplace();
    if (users.ok())
      if (auto page = parse_user_page(users.body); page && !page->page.users.empty())
        first_user = page->page.users.front().id;
    add(probe_row("users", "GET " + users_url, users,
                  first_user && first_user->empty() ? "answered with no user: the tenant lists none"
                                                    : "the license properties are readable (assignedLicenses, "
                                                      "licenseAssignmentStates)",
                  ctx_));

    header_list const eventual{{std::string(advanced_query_header), std::string(advanced_query_value)}};
    graph_request const count_req{"GET", users_count_url(), {}, eventual};
    auto count = co_await probe(count_req, parse_user_page);
    add(count_row("GET " + users_count_url(), count, ctx_));

    std::string const shard_url = with_top_1(shard_first_url("a"));
    graph_request const shard_req{"GET", shard_url, {}, eventual};
    auto shard = co_await probe(shard_req, parse_user_page);
    add(shard_row("GET " + shard_url, shard, ctx_));
    co_return first_user;
  }

  // The optional door reads, as the scan sends them (fetch_doors.cpp): rows that inform, never fail the check.
  net::awaitable<void> probe_doors() {
    std::string const policy_url = "/v1.0/policies/authorizationPolicy";
    graph_request const policy_req{"GET", policy_url, {}, {}};
    auto policy = co_await probe(policy_req, parse_authorization_policy);
    add(door_probe_row("authorizationPolicy", "GET " + policy_url, policy,
                       doors_detail(policy, parse_authorization_policy), "signup and email_verified_join", ctx_));

    std::string const apps_url = "/beta/admin/appsAndServices";
    if (is_national_cloud(ctx_.graph_endpoint)) {
      add(door_not_in_cloud_row("appsAndServices", "GET " + apps_url, "trials and office_store"));
      co_return;
    }
    graph_request const apps_req{"GET", apps_url, {}, {}};
    auto apps = co_await probe(apps_req, parse_apps_and_services);
    add(door_probe_row("appsAndServices", "GET " + apps_url, apps, doors_detail(apps, parse_apps_and_services),
                       "trials and office_store", ctx_));
  }

  // The read ahead of the licensing groups' names, as the scan sends it (fetch_groups.cpp), for one of the
  // tenant's SKUs: a row that informs, never fails the check. A tenant without SKUs has no licensing groups.
  net::awaitable<void> probe_groups() {
    if (group_probe_sku_.empty()) co_return;
    std::string const url = "/v1.0" + licensing_groups_url(group_probe_sku_);
    graph_request const req{"GET", url, {}, {{std::string(advanced_query_header), std::string(advanced_query_value)}}};
    auto groups = co_await probe(req, parse_group_page);
    add(groups_probe_row("GET " + url, groups, ctx_));
  }

  // "signup open, email_verified_join closed": each door a read answer shows, with its state.
  template <class Parse>
  static std::string doors_detail(const probe_answer& a, Parse parse) {
    if (!a.ok()) return {};
    auto doors = parse(std::string_view(a.body));
    if (!doors) return {};
    std::string out;
    for (auto const& d : *doors) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", d.door, d.state);
    return out;
  }

  // licenseDetails of one user through $batch, as fetch mode asks for it.
  net::awaitable<void> probe_license_details(const std::string& user_id) {
    if (user_id.empty()) {
      add({"licenseDetails", verdict::ok, "not probed: the tenant lists no user", {}, {}, {}});
      co_return;
    }
    batch_request_item const item{"1", license_details_url(user_id)};
    std::string const request = "POST /v1.0/$batch {GET " + item.url + "}";
    graph_request const batch_req{"POST", "/v1.0/$batch", batch_request_body({&item, 1}), {}};
    auto outer = co_await probe(batch_req, parse_batch_response);
    probe_answer answer = outer;
    if (outer.ok()) {
      auto items = parse_batch_response(outer.body);
      if (items && !items->empty()) {
        auto const& got = items->front();
        auto const error = parse_graph_error(got.body);
        auto const id = got.header("request-id");
        answer = {
            got.status,
            error.code,
            id ? std::string(*id) : error.request_id,
            got.status / 100 == 2 ? std::string() : fmt::format("{} {}: {}", got.status, error.code, error.message),
            got.body,
            true};
      }
    }
    add(license_details_row(request, answer, ctx_));
  }

  net::io_context& io_;
  const check_options& options_;
  graph_client& client_;
  connection_pool& reach_pool_;
  check_context ctx_;
  std::int64_t retried_ = 0;     // retries of the last probe
  std::string group_probe_sku_;  // a SKU of the tenant, whose licensing groups probe_groups lists
};

}  // namespace

bool check_report::scan_will_work() const {
  for (auto const& row : rows)
    if (row.result == verdict::fail) return false;
  return true;
}

base::result<check_report> run_check(const check_options& options) {
  net::io_context io;
  auto client = graph_client::create(io, options.connection, options.creds);
  if (!client) return client.error();
  auto tls = make_tls_context(options.connection.ca_file);
  if (!tls) return tls.error();
  connection_pool reach_pool(io.get_executor(), **tls,
                             connection_settings{.timeout = std::min(options.connection.timeout, reach_timeout),
                                                 .connect_timeout = std::nullopt,
                                                 .body_limit = std::size_t{1} << 20,
                                                 .https_proxy = options.connection.https_proxy,
                                                 .no_proxy = options.connection.no_proxy},
                             2);
  check_run run(io, options, **client, reach_pool);
  std::exception_ptr failure;
  net::co_spawn(io, run.run(), [&failure](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) return base::internal_error(failure, "check");
  return check_report{std::move(run.rows)};
}

}  // namespace scanner
