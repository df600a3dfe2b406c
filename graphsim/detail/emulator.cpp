#include "graphsim/detail/emulator.hpp"

#include "graphsim/detail/batch.hpp"
#include "graphsim/detail/graph_error.hpp"
#include "graphsim/detail/odata_query.hpp"
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"
#include "graphsim/permissions.hpp"

#include <boost/url/parse.hpp>

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace graphsim {
namespace {

constexpr std::string_view odata_json =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
constexpr auto slow_fault_delay = std::chrono::seconds(2);
constexpr double latency_per_item_us = 50.0;  // docs/design.md §5: 0.05 ms per item returned

std::vector<std::string> path_segments(std::string_view target) {
  std::vector<std::string> segs;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return segs;
  for (auto s : parsed->segments()) segs.emplace_back(s);
  return segs;
}

// A Host header fit to go into links: host[:port] characters only (anything else is ignored).
bool usable_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    bool const ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

// Damages a JSON body so that no parser accepts it: its first half, then a stray bracket.
std::string malformed(std::string_view body) {
  std::string out(body.substr(0, body.size() / 2));
  out += ",,]\"";
  return out;
}

}  // namespace

bool parse_churn_rate(std::string_view text, double& rate) {
  double value = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0.0 && value <= 1.0)) return false;
  rate = value;
  return true;
}

base::result<std::unique_ptr<emulator>> emulator::create(sim_options const& options, tenant& t) {
  auto schedule = parse_fault_schedule(options.fault_schedule);
  if (!schedule) return schedule.error();
  cert_registry certs;
  for (auto const& path : options.client_certs)
    if (auto r = certs.add_pem_file(path); !r) return r.error();
  return std::unique_ptr<emulator>(new emulator(options, t, std::move(*schedule), std::move(certs)));
}

emulator::emulator(sim_options const& options, tenant& t, std::vector<fault_rule> schedule, cert_registry certs)
    : options_(options),
      tenant_(t),
      tokens_(t, std::move(certs), options.token_lifetime_s, options.seed ^ std::random_device{}(),
              options.roles ? *options.roles : default_roles(),
              {options.device_code_interval_s, options.device_code_expiry_s}, options.require_x5c),
      faults_(std::move(schedule), options.fault_rate, options.fault_seed),
      bucket_(options.throttle_ru, throttle_bucket::clock::now()),
      // A fresh key per run: page and delta tokens of an earlier run are refused, as expired ones are.
      codec_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()),
      okta_(options.okta ? std::make_unique<okta_idp>(options_, t) : nullptr),
      rng_(options.fault_seed * 0x9e3779b97f4a7c15ull + 1) {}

void emulator::set_address(std::string scheme, std::string host_port) {
  scheme_ = std::move(scheme);
  host_port_ = std::move(host_port);
}

std::string emulator::base_url(sim_request const& req) const {
  return scheme_ + "://" + (usable_host(req.host) ? req.host : host_port_);
}

std::chrono::microseconds emulator::delay_for(sim_response const& res) {
  double us = 0;
  if (options_.latency_max_ms > 0) {
    us = std::uniform_real_distribution<double>(options_.latency_min_ms * 1000.0,
                                                options_.latency_max_ms * 1000.0)(rng_);
    us += latency_per_item_us * static_cast<double>(res.items);
  }
  auto delay = std::chrono::microseconds(static_cast<long long>(us));
  if (res.delay_slow) delay += slow_fault_delay;
  return delay;
}

void emulator::decorate(sim_response& res, std::string const& request_id, std::string const& client_request_id,
                        unsigned ru) const {
  res.content_type = std::string(odata_json);
  res.set_header("Cache-Control", "no-cache");
  if (res.status < 400) res.set_header("OData-Version", "4.0");
  res.set_header("request-id", request_id);
  res.set_header("client-request-id", client_request_id);
  res.set_header("x-ms-resource-unit", std::to_string(ru));
}

sim_response emulator::graph_error(unsigned status, std::string_view code, std::string_view message,
                                   std::string const& request_id, std::string const& client_request_id) const {
  sim_response res;
  res.status = status;
  res.body = graph_error_body(code, message, request_id, client_request_id);
  return res;
}

void emulator::on_advance(std::function<void()> fn) { after_advance_ = std::move(fn); }

sim_response emulator::advance(sim_request const& req) {
  sim_response res;
  res.content_type = "application/json";
  if (req.method != "POST") {
    res.status = 405;
    res.set_header("Allow", "POST");
    res.body = R"({"error":"POST /_sim/advance moves the tenant one night forward"})";
    return res;
  }
  double rate = options_.churn;
  if (auto const q = req.target.find('?'); q != std::string::npos) {
    auto const query = std::string_view(req.target).substr(q + 1);
    if (!query.starts_with("churn=") || !parse_churn_rate(query.substr(6), rate)) {
      res.status = 400;
      res.body = R"({"error":"expected ?churn=R with R between 0 and 1"})";
      return res;
    }
  }
  night_report const night = tenant_.advance_night(rate);
  if (after_advance_) after_advance_();
  auto const state = [](bool open) { return open ? "open" : "closed"; };
  sim_doors const& doors = tenant_.doors();
  std::string flipped;
  for (auto const& name : night.doors_flipped) flipped += fmt::format("{}\"{}\"", flipped.empty() ? "" : ",", name);
  res.body =
      fmt::format(R"({{"night":{},"churn":{},"changed":{},"created":{},"deleted":{},"users":{},"doors_flipped":[{}],)"
                  R"("doors":{{"signup":"{}","email-verified-join":"{}","trials":"{}","office-store":"{}"}}}})",
                  night.night, rate, night.changed, night.created, night.deleted, tenant_.user_count(), flipped,
                  state(doors.signup_email_subscriptions), state(doors.email_verified_join), state(doors.trials),
                  state(doors.office_store));
  return res;
}

sim_response emulator::sign_in_control(sim_request const& req) {
  sim_response res;
  res.content_type = "application/json";
  if (req.method != "POST") {
    res.status = 405;
    res.set_header("Allow", "POST");
    res.body = R"({"error":"the sign-in controls take POST"})";
    return res;
  }
  std::string_view const target = req.target;
  std::string_view const path = target.substr(0, target.find('?'));
  if (iequals(path, "/_sim/refresh-tokens/revoke")) {
    res.body = fmt::format(R"({{"revoked":{}}})", tokens_.grants().revoke_refresh_tokens());
    return res;
  }
  constexpr std::string_view key = "user_code=";
  auto const q = target.find('?');
  std::string_view const query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  std::string_view const code = query.starts_with(key) ? query.substr(key.size()) : std::string_view{};
  bool const approve = iequals(path, "/_sim/device/approve");
  if (!approve && !iequals(path, "/_sim/device/decline")) {
    res.status = 404;
    res.body = R"({"error":"expected /_sim/device/approve or /_sim/device/decline"})";
    return res;
  }
  bool const done = approve ? tokens_.grants().approve(code) : tokens_.grants().decline(code);
  if (!done) {
    res.status = 404;
    res.body = R"({"error":"no pending device code has this user_code"})";
    return res;
  }
  res.body = fmt::format(R"({{"user_code":"{}","state":"{}"}})", std::string(code), approve ? "approved" : "declined");
  return res;
}

sim_response emulator::handle(sim_request const& req) {
  std::string_view const path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (iequals(path, "/_sim/advance")) return advance(req);
  if (okta_ && path == "/api/v1/logs") {
    sim_response res = okta_->handle(req, base_url(req));
    stats_.record("GET /api/v1/logs", res.status, 0);
    return res;
  }
  if (okta_ && path == "/_sim/idp") return okta_->outcomes();
  if (iequals(path, "/_sim/stats")) {
    sim_response res;
    res.body = stats_.to_json();
    res.content_type = "application/json";
    return res;
  }
  if (istarts_with(path, "/_sim/device/") || iequals(path, "/_sim/refresh-tokens/revoke")) return sign_in_control(req);
  auto const segs = path_segments(req.target);
  if (segs.size() == 4 && iequals(segs[1], "oauth2") && iequals(segs[2], "v2.0") && iequals(segs[3], "token")) {
    sim_response res = tokens_.handle(req, segs[0]);
    stats_.record(req.method + " /{tenant}/oauth2/v2.0/token", res.status, 0);
    return res;
  }
  if (segs.size() == 4 && iequals(segs[1], "oauth2") && iequals(segs[2], "v2.0") && iequals(segs[3], "devicecode")) {
    sim_response res = tokens_.handle_device_code(req, segs[0]);
    stats_.record(req.method + " /{tenant}/oauth2/v2.0/devicecode", res.status, 0);
    return res;
  }
  return serve_graph(req, false);
}

sim_response emulator::serve_graph(sim_request const& req, bool batch_item) {
  std::string const request_id = random_guid(rng_);
  std::string const client_request_id =
      req.header("client-request-id") ? std::string(*req.header("client-request-id")) : random_guid(rng_);
  route_match const route = match_graph_route(req.method, req.target);
  auto done = [&](sim_response res, unsigned ru) {
    decorate(res, request_id, client_request_id, ru);
    stats_.record(route.endpoint, res.status, ru);
    return res;
  };
  auto fail = [&](unsigned status, std::string_view code, std::string_view message) {
    return done(graph_error(status, code, message, request_id, client_request_id), 0);
  };

  if (route.id == route_id::unknown_version) return fail(400, "BadRequest", "Invalid version: " + route.bad_segment);

  auto const bearer = tokens_.check(req.header("authorization"), token_service::clock::now());
  switch (bearer.state) {
    case bearer_state::valid:
      break;
    case bearer_state::missing: {
      auto res = fail(401, "InvalidAuthenticationToken", "Access token is empty.");
      res.set_header("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"" + base_url(req) + "/" +
                                             tenant_.tenant_id() + "/oauth2/v2.0/token\"");
      return res;
    }
    case bearer_state::expired:
      return fail(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    case bearer_state::invalid:
      return fail(401, "InvalidAuthenticationToken", "Access token validation failure.");
  }

  if (route.id != route_id::unknown && req.method != route.method) {
    auto res = fail(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
    res.set_header("Allow", std::string(route.method));
    return res;
  }

  // A beta endpoint Graph serves in the global cloud only does not exist in a national one (docs/graph.md §15).
  if (route.id == route_id::apps_and_services && !iequals(options_.cloud, "global"))
    return fail(404, "ResourceNotFound", "Resource not found for the segment 'appsAndServices'.");

  // Each route needs one of the application permissions Graph documents for it; $batch items are checked alone.
  if (!roles_allow(route.id, bearer.roles))
    return fail(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

  if (route.id == route_id::batch) {
    if (batch_item) return fail(400, "BadRequest", "A batch request cannot contain another batch request.");
    auto envelope = run_batch(req, [this](sim_request const& item) { return serve_graph(item, true); });
    if (!envelope) return fail(envelope.error().status, envelope.error().code, envelope.error().message);
    // The envelope costs nothing: each item was charged on its own (docs/graph.md §7–§8).
    return done(std::move(*envelope), 0);
  }

  fault const f = faults_.next();
  if (f != fault::none) stats_.count_fault(to_string(f));
  switch (f) {
    case fault::unavailable_503: {
      auto res = fail(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.");
      res.set_header("Retry-After", "1");
      return res;
    }
    case fault::internal_500:
      return fail(500, "generalException", "An unexpected error occurred.");
    case fault::timeout_504:
      return fail(504, "UnknownError", "The gateway timed out.");
    case fault::throttled_429: {
      sim_response res;
      res.status = 429;
      res.body = throttle_error_body(request_id, client_request_id);
      res.set_header("Retry-After", "1");
      return done(std::move(res), 0);
    }
    default:
      break;
  }

  auto query = parse_odata_query(req.target);
  unsigned const cost = query ? request_cost(route.cost, !query->select.empty(), query->top && *query->top < 20)
                              : request_cost(route.cost, false, false);
  if (double const wait = bucket_.take(cost, throttle_bucket::clock::now()); wait > 0) {
    stats_.count_throttled();
    sim_response res;
    res.status = 429;
    res.body = throttle_error_body(request_id, client_request_id);
    res.set_header("Retry-After", format_retry_after(wait));
    res.set_header("x-ms-throttle-scope",
                   "Tenant_Application/ReadWrite/" + tenant_.client_id() + "/" + tenant_.tenant_id());
    res.set_header("x-ms-throttle-information", "ResourceUnitLimitExceeded");
    res = done(std::move(res), 0);
    res.set_header("x-ms-resource-unit", std::to_string(cost));  // what it would have cost
    return res;
  }

  sim_response res;
  if (!query) {
    res = graph_error(query.error().status, query.error().code, query.error().message, request_id, client_request_id);
  } else {
    std::string const base = base_url(req);
    auto const consistency = req.header("consistencylevel");
    route_context const ctx{tenant_,  codec_, req, *query, base, consistency && iequals(trim(*consistency), "eventual"),
                            options_, orders_};
    auto result = run_route(route, ctx);
    res = result ? std::move(*result)
                 : graph_error(result.error().status, result.error().code, result.error().message, request_id,
                               client_request_id);
  }
  switch (f) {
    case fault::malformed:
      res.status = 200;
      res.body = malformed(res.body);
      break;
    case fault::reset:
      res.fault = wire_fault::reset;
      break;
    case fault::truncate:
      res.fault = wire_fault::truncate;
      break;
    case fault::slow:
      res.delay_slow = true;
      break;
    default:
      break;
  }
  // Graph warns in x-ms-throttle-limit-percentage once more than 80 % of the budget is used (docs/graph.md §8).
  if (double const used = bucket_.used_fraction(); used > 0.8)
    res.set_header("x-ms-throttle-limit-percentage", fmt::format("{:.1f}", used));
  return done(std::move(res), cost);
}

}  // namespace graphsim
