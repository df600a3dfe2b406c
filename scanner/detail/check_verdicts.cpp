#include "scanner/detail/check_verdicts.hpp"

#include "scanner/detail/endpoint.hpp"
#include "scanner/detail/graph_error_text.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/parse_users.hpp"
#include "scanner/detail/retry_policy.hpp"
#include "scanner/settings.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <ctime>

namespace scanner {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Beyond this, client assertions (nbf/exp a few minutes wide) and token lifetimes judged locally go wrong.
constexpr seconds max_clock_skew{300};
constexpr std::array<std::string_view, 4> cloud_names{"global", "usgov", "usgov-dod", "china"};

std::string host_of(std::string_view url) {
  auto split = split_absolute_url(url);
  return split ? split->where.authority() : std::string(url);
}

// The proxy URL without user:password@, which must never reach the output.
std::string proxy_for_display(std::string_view proxy) {
  auto const scheme = proxy.find("://");
  auto const start = scheme == std::string_view::npos ? 0 : scheme + 3;
  auto const at = proxy.find('@', start);
  if (at == std::string_view::npos) return std::string(proxy);
  return std::string(proxy.substr(0, start)) + std::string(proxy.substr(at + 1));
}

std::string other_clouds(std::string_view current) {
  std::string out;
  for (auto name : cloud_names) {
    if (name == current) continue;
    if (!out.empty()) out += "|";
    out += name;
  }
  return out;
}

std::string cloud_of_authority(std::string_view authority) {
  for (auto name : cloud_names)
    if (auto e = endpoints_of_cloud(name); e && e->authority_host == authority) return std::string(name);
  return {};
}

std::string format_time(std::chrono::system_clock::time_point t) {
  std::time_t const tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string span_text(seconds s) {
  auto const n = std::llabs(s.count());
  if (n < 120) return fmt::format("{} s", n);
  if (n < 7200) return fmt::format("{} min", n / 60);
  return fmt::format("{:.1f} h", static_cast<double>(n) / 3600.0);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (auto const& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string status_text(const probe_answer& a) {
  return a.code.empty() ? std::to_string(a.status) : fmt::format("{} {}", a.status, a.code);
}

// The cost of listing users in one @odata.nextLink chain, in the words the warnings use.
std::string one_chain_cost() {
  return fmt::format("users are listed in one chain, ~N/{} requests in a row for N users", users_page_size);
}

// A failed probe: Graph's answer as its fields (the client's one-line error repeats the URL and a hint the fix
// column gives better), or the client's error when nothing was answered.
check_row failed(std::string check, std::string request, const probe_answer& a, std::string fix) {
  std::string detail = a.status != 0 ? "Graph answered " + status_text(a) : a.message;
  return {std::move(check), verdict::fail, std::move(detail), std::move(fix), a.request_id, std::move(request)};
}

std::string permission_fix(std::string_view permission, const check_context& ctx) {
  if (ctx.delegated)
    return fmt::format(
        "the signed-in user needs a directory role that reads users and licenses (e.g. Global Reader), and app {} "
        "the delegated permission {} (admin consent: {}); then sign in again",
        ctx.client_id, permission, admin_consent_url(ctx.authority_host, ctx.tenant_id, ctx.client_id));
  return fmt::format("grant the application permission {} to app {}, then grant admin consent: {}", permission,
                     ctx.client_id, admin_consent_url(ctx.authority_host, ctx.tenant_id, ctx.client_id));
}

std::string refused_token_fix(const check_context& ctx) {
  return fmt::format(
      "Graph refused the app's token: the login host ({}) and the Graph endpoint ({}) must be of one "
      "cloud; choose it with --cloud global|usgov|usgov-dod|china",
      ctx.authority_host, ctx.graph_endpoint);
}

std::optional<std::int64_t> odata_count(const probe_answer& a) {
  auto page = parse_user_page(a.body);
  if (!page) return std::nullopt;
  return page->count;
}

}  // namespace

std::string_view to_string(verdict v) {
  switch (v) {
    case verdict::ok:
      return "ok";
    case verdict::warn:
      return "warn";
    case verdict::fail:
      return "FAIL";
    case verdict::info:
      return "info";
  }
  return "FAIL";
}

std::string cloud_of_graph_root(std::string_view graph_endpoint) {
  for (auto name : cloud_names)
    if (auto e = endpoints_of_cloud(name); e && e->graph_root == graph_endpoint) return std::string(name);
  return {};
}

std::string unreachable_fix(const probe_answer& a, std::string_view url, const check_context& ctx) {
  auto const host = host_of(url);
  auto const split = split_absolute_url(url);
  bool const proxied = ctx.https_proxy && split && !bypasses_proxy(split->where.host, ctx.no_proxy);
  if (!a.retryable)
    return fmt::format(
        "the connection to {} was refused before HTTP (the detail says why): behind a TLS-inspecting "
        "proxy pass its CA certificate with --ca-file; a proxy must allow CONNECT to {}",
        host, host);
  if (proxied)
    return fmt::format(
        "check that the proxy {} (HTTPS_PROXY) is up and lets CONNECT to {} through, or list {} in "
        "NO_PROXY if it must be reached directly",
        proxy_for_display(*ctx.https_proxy), host, split->where.host);
  return fmt::format(
      "check DNS, routes and firewalls from this machine to {}; behind a proxy set "
      "HTTPS_PROXY=http://proxy.example.com:3128 ({})",
      host, ctx.https_proxy ? "now set, but not used for this host: see NO_PROXY" : "not set now");
}

check_row sign_in_row(const probe_answer& a, std::string_view credential_kind, const check_context& ctx) {
  std::string const token_url = fmt::format("{}/{}/oauth2/v2.0/token", ctx.authority_host, ctx.tenant_id);
  std::string const request = "POST " + token_url;
  if (a.ok())
    return {"sign-in",
            verdict::ok,
            fmt::format("{} of app {} accepted for tenant {} by {}", credential_kind, ctx.client_id, ctx.tenant_id,
                        ctx.authority_host),
            {},
            {},
            request};
  if (a.status == 0) return failed("sign-in", request, a, unreachable_fix(a, token_url, ctx));
  std::string const& code = a.code;
  auto const is = [&code](std::initializer_list<std::string_view> codes) {
    for (auto c : codes)
      if (code == c) return true;
    return false;
  };
  auto const cloud = cloud_of_authority(ctx.authority_host);
  std::string fix;
  if (is({"AADSTS90002"}))
    fix = fmt::format("check AZURE_TENANT_ID (--tenant-id); a tenant of another cloud needs --cloud {}",
                      other_clouds(cloud));
  else if (is({"AADSTS900382", "AADSTS900384"}))
    fix = fmt::format("the app or the tenant is in another cloud than {}: choose it with --cloud {}",
                      ctx.authority_host, other_clouds(cloud));
  else if (is({"AADSTS700016"}))
    fix = fmt::format(
        "check AZURE_CLIENT_ID (--client-id) and AZURE_TENANT_ID: app {} is not registered in tenant {} "
        "of {} (an app of another cloud needs --cloud {})",
        ctx.client_id, ctx.tenant_id, ctx.authority_host, other_clouds(cloud));
  else if (is({"AADSTS7000215"}))
    fix = "put the secret's value (not its id) in AZURE_CLIENT_SECRET or --client-secret-file";
  else if (is({"AADSTS7000222"}))
    fix = fmt::format("create a new client secret for app {} and update AZURE_CLIENT_SECRET", ctx.client_id);
  else if (is({"AADSTS70011"}))
    fix = fmt::format(
        "{}/.default is not a scope {} knows: pass --cloud, or a --graph-endpoint of the login host's "
        "cloud",
        ctx.graph_endpoint, ctx.authority_host);
  else if (is({"AADSTS700024"}))
    fix =
        "the client assertion is outside its validity: synchronise this machine's clock (NTP, e.g. "
        "`timedatectl set-ntp true`)";
  else if (is({"AADSTS700027", "AADSTS700023", "AADSTS50012", "AADSTS50027", "AADSTS7000274", "AADSTS7000277"}))
    fix = fmt::format(
        "upload the certificate of --certificate (AZURE_CLIENT_CERTIFICATE_PATH) to app {} under "
        "Certificates & secrets, or point to the one registered there",
        ctx.client_id);
  else if (is({"AADSTS70021", "AADSTS700211", "AADSTS700212", "AADSTS700213", "AADSTS700221", "AADSTS700222",
               "AADSTS700223"}))
    fix = fmt::format(
        "check the federated credential of app {} (issuer, subject, audience api://AzureADTokenExchange) "
        "against the token in AZURE_FEDERATED_TOKEN_FILE",
        ctx.client_id);
  else fix = "the login service's answer in the detail names what to change";
  return {"sign-in",      verdict::fail, a.message.empty() ? status_text(a) : a.message,
          std::move(fix), a.request_id,  request};
}

check_row token_row(const std::optional<token_claims>& claims, const check_context& ctx,
                    std::chrono::system_clock::time_point now) {
  if (!claims)
    return {"token", verdict::warn, "the access token is not a JWT: its roles and expiry cannot be read", {}, {}, {}};
  // A person's token (device code) carries delegated scopes in scp and no roles.
  bool const delegated = claims->roles.empty() && !claims->scp.empty();
  std::string detail = delegated               ? "scp: " + join(claims->scp)
                       : claims->roles.empty() ? "roles: none"
                                               : "roles: " + join(claims->roles);
  if (!delegated && !claims->scp.empty()) detail += "; scp: " + join(claims->scp);
  if (!claims->tid.empty()) detail += "; tenant " + claims->tid;
  if (claims->expires) {
    auto const left = duration_cast<seconds>(*claims->expires - now);
    detail += fmt::format("; expires {} ({} {})", format_time(*claims->expires), left.count() >= 0 ? "in" : "ago",
                          span_text(left));
  }
  if (!claims->aud.empty()) detail += "; aud " + claims->aud;
  check_row row{"token", verdict::ok, std::move(detail), {}, {}, {}};

  auto const issuer_cloud = cloud_of_issuer(claims->iss);
  auto const graph_cloud = cloud_of_graph_root(ctx.graph_endpoint);
  // Both US Government clouds sign in at login.microsoftonline.us.
  bool const same = issuer_cloud == graph_cloud || (issuer_cloud == "usgov" && graph_cloud == "usgov-dod");
  if (!issuer_cloud.empty() && !graph_cloud.empty() && !same) {
    row.result = verdict::fail;
    row.fix = fmt::format("the token was issued by the {} cloud ({}) but the Graph endpoint is {}'s: pass --cloud {}",
                          issuer_cloud, claims->iss, graph_cloud, issuer_cloud);
  } else if (delegated) {
    // Delegated access is the overlap of the scopes and the person's own rights (docs/graph.md §10.8).
    row.detail +=
        "; delegated: the signed-in user also needs a directory role that reads users and licenses, e.g. "
        "Global Reader";
    auto const holds = [&claims](std::string_view scope) {
      return std::any_of(claims->scp.begin(), claims->scp.end(), [scope](auto const& s) { return s == scope; });
    };
    if (!holds("User.Read.All") || !holds("Organization.Read.All")) {
      row.result = verdict::warn;
      row.fix = fmt::format(
          "grant app {} the delegated permissions User.Read.All and Organization.Read.All (admin consent), then "
          "sign in again",
          claims->appid);
    }
  } else if (claims->roles.empty()) {
    row.result = verdict::warn;
    row.fix = permission_fix("User.Read.All and Organization.Read.All", ctx);
  }
  return row;
}

check_row clock_row(std::optional<std::string_view> date, std::string_view host,
                    std::chrono::system_clock::time_point now) {
  auto const server = date ? parse_http_date(*date) : std::nullopt;
  if (!server) return {"clock", verdict::ok, fmt::format("not measured: {} sent no Date header", host), {}, {}, {}};
  auto const skew = duration_cast<seconds>(now - *server);
  if (std::chrono::abs(skew) <= max_clock_skew)
    return {"clock", verdict::ok, fmt::format("within {} of {}'s Date", span_text(skew), host), {}, {}, {}};
  return {"clock",
          verdict::warn,
          fmt::format("this machine's clock is {} {} {}'s Date ({})", span_text(skew),
                      skew.count() > 0 ? "ahead of" : "behind", host, *date),
          "synchronise the clock (NTP, e.g. `timedatectl set-ntp true`): client assertions and token lifetimes are "
          "judged against it",
          {},
          {}};
}

check_row probe_row(std::string check, std::string request, const probe_answer& a, std::string ok_detail,
                    const check_context& ctx) {
  if (a.ok()) return {std::move(check), verdict::ok, std::move(ok_detail), {}, {}, std::move(request)};
  auto const url = request.substr(request.find(' ') + 1);
  if (a.status == 0) return failed(std::move(check), std::move(request), a, unreachable_fix(a, url, ctx));
  if (a.status == 401) return failed(std::move(check), std::move(request), a, refused_token_fix(ctx));
  if (a.status == 403) {
    auto const permission = permission_for(url);
    return failed(std::move(check), std::move(request), a,
                  permission.empty() || permission == "licenseDetails" ? permission_fix("User.Read.All", ctx)
                                                                       : permission_fix(permission, ctx));
  }
  auto hint = hint_for_status(a.status, url, ctx.authority_host, ctx.tenant_id, ctx.client_id);
  if (hint.empty()) hint = "Graph refused the request; report it to Microsoft support with the request-id";
  return failed(std::move(check), std::move(request), a, std::move(hint));
}

check_row count_row(std::string request, const probe_answer& a, const check_context& ctx) {
  if (a.status == 400)
    return {"users $count",
            verdict::warn,
            fmt::format("Graph refused $count with ConsistencyLevel: eventual ({}): no sharding, {}", status_text(a),
                        one_chain_cost()),
            {},
            a.request_id,
            std::move(request)};
  if (!a.ok()) return probe_row("users $count", std::move(request), a, {}, ctx);
  auto const count = odata_count(a);
  if (!count)
    return {"users $count",
            verdict::warn,
            fmt::format("no @odata.count: Graph ignored $count (no advanced queries): {}", one_chain_cost()),
            "`scan --shards off` lists the users in one chain without asking for the count",
            {},
            std::move(request)};
  unsigned const chains = shard_chains_for(shards_setting{}, *count);
  auto const pages = (*count + users_page_size - 1) / users_page_size;
  std::string detail = chains > 0 ? fmt::format("{} users: --shards auto lists them in {} shards, {} at a time", *count,
                                                upn_first_characters().size(), chains)
                                  : fmt::format("{} users: one chain of {} page{} (sharding pays above a few pages)",
                                                *count, pages, pages == 1 ? "" : "s");
  return {"users $count", verdict::ok, std::move(detail), {}, {}, std::move(request)};
}

check_row shard_row(std::string request, const probe_answer& a, const check_context& ctx) {
  if (a.status == 400)
    return {"users shard",
            verdict::warn,
            fmt::format("Graph refused startsWith(userPrincipalName,'a') with $count ({}): no sharding, {}",
                        status_text(a), one_chain_cost()),
            {},
            a.request_id,
            std::move(request)};
  auto const count = a.ok() ? odata_count(a) : std::nullopt;
  return probe_row("users shard", std::move(request), a,
                   count ? fmt::format("the 'a' shard holds {} users (@odata.count)", *count)
                         : std::string("the 'a' shard answered"),
                   ctx);
}

check_row license_details_row(std::string request, const probe_answer& a, const check_context& ctx) {
  if (a.status != 403)
    return probe_row("licenseDetails", std::move(request), a, "readable through $batch (--license-details fetch)", ctx);
  std::string const detail = fmt::format(
      "{}: app-only licenseDetails refused (Microsoft's pages disagree on whether application permissions may call "
      "it)",
      status_text(a));
  if (ctx.mode == license_details_mode::derived)
    return {"licenseDetails", verdict::warn, detail, {}, a.request_id, std::move(request)};
  return {"licenseDetails",
          verdict::fail,
          detail,
          fmt::format("use --license-details derived (the default: the same rows from assignedLicenses and "
                      "subscribedSkus), or {}",
                      permission_fix("LicenseAssignment.Read.All", ctx)),
          a.request_id,
          std::move(request)};
}

check_row door_probe_row(std::string check, std::string request, const probe_answer& a, std::string ok_detail,
                         std::string_view doors, const check_context& ctx) {
  if (a.ok()) return {std::move(check), verdict::ok, std::move(ok_detail), {}, {}, std::move(request)};
  auto const url = request.substr(request.find(' ') + 1);
  std::string const unknown = fmt::format("the {} doors will be reported unknown; a scan works without them", doors);
  std::string detail, fix;
  if (a.status == 403) {
    detail = fmt::format("optional: Graph answered {}: {}", status_text(a), unknown);
    fix = "optional: " + permission_fix(permission_for(url), ctx);
  } else if (a.status == 404) {
    detail = fmt::format("optional: not available ({}){}: {}", status_text(a),
                         url.starts_with("/beta/") ? ", a beta endpoint of the global cloud only" : "", unknown);
  } else {
    detail = fmt::format("optional: could not be read ({}): {}",
                         a.status != 0 ? "Graph answered " + status_text(a) : a.message, unknown);
  }
  return {std::move(check), verdict::info, std::move(detail), std::move(fix), a.request_id, std::move(request)};
}

check_row groups_probe_row(std::string request, const probe_answer& a, const check_context& ctx) {
  std::string check = "group names";
  if (a.ok())
    return {std::move(check),
            verdict::ok,
            "readable: the licensing groups are listed ahead of the users and group_inherited findings name them",
            {},
            {},
            std::move(request)};
  if (a.status == 400)
    return {std::move(check),
            verdict::ok,
            fmt::format("Graph does not serve the groups' license filter ({}): the scan reads each licensing group's "
                        "name by id after the listing (one request per 20 groups)",
                        status_text(a)),
            {},
            a.request_id,
            std::move(request)};
  std::string const by_id = "group_inherited findings will name their groups by id only; a scan works without them";
  std::string detail, fix;
  if (a.status == 401 || a.status == 403) {
    detail = fmt::format("optional: Graph answered {}: {}", status_text(a), by_id);
    fix = "optional: " + permission_fix("GroupMember.Read.All", ctx);
  } else {
    detail = fmt::format(
        "optional: could not be read ({}): the scan reads each group's name by id after the "
        "listing, and where that fails too, {}",
        a.status != 0 ? "Graph answered " + status_text(a) : a.message, by_id);
  }
  return {std::move(check), verdict::info, std::move(detail), std::move(fix), a.request_id, std::move(request)};
}

check_row door_not_in_cloud_row(std::string check, std::string request, std::string_view doors) {
  auto const url = request.substr(request.find(' ') + 1);
  return {std::move(check),
          verdict::info,
          fmt::format("optional: not probed: {} exists in the global cloud only; the {} doors will be reported unknown",
                      url, doors),
          {},
          {},
          std::move(request)};
}

}  // namespace scanner
