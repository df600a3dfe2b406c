// The identity provider replaces each user's licenses with its managed set (docs/graph.md §6): it asks
// assignLicense to remove every other license, and Okta's log records the answer. The emulator does exactly that
// through its own tenant, so the refusals are Graph's (as the emulator decides them), not a copy of the rules.
#include "graphsim/detail/okta_idp.hpp"

#include "base/utc_time.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/text.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>

namespace graphsim {
namespace {

// A deterministic draw in [0, 1) for user i (the unexplained failures follow the seed).
double draw(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
  x ^= x >> 31;
  x *= 0xd6e8feb8e1b5f3a5ull;
  x ^= x >> 29;
  return static_cast<double>(x >> 11) / static_cast<double>(1ull << 53);
}

std::string query_value(std::string_view target, std::string_view name) {
  auto const q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto const amp = rest.find('&');
    auto const pair = rest.substr(0, amp);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

std::string log_event(std::uint64_t n, std::string const& when, std::string const& id, std::string const& upn,
                      unsigned status, std::string const& code, std::string const& message) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.StartObject();
  w.Key("uuid");
  w.String(fmt::format("sim-{:08x}-0000-4000-8000-{:012x}", n >> 32, n).c_str());
  w.Key("published");
  w.String(when.c_str());
  w.Key("eventType");
  w.String("application.provision.user.push_profile");
  w.Key("version");
  w.String("0");
  w.Key("severity");
  w.String(status == 200 ? "INFO" : "ERROR");
  w.Key("displayMessage");
  w.String("Push user profile update to external application");
  w.Key("outcome");
  w.StartObject();
  w.Key("result");
  w.String(status == 200 ? "SUCCESS" : "FAILURE");
  if (status != 200) {
    w.Key("reason");
    w.String(fmt::format("Automatic profile push of user {} to app Microsoft Office 365 failed: Could not push "
                         "profile for Office 365 user {}, received error: Received response with HTTP status code "
                         "{}. httpStatusCode={} errorCode={} errorMessage=\"{}\" request-id=sim-{:012x} method=POST "
                         "url=https://graph.microsoft.com/v1.0/users/{}/microsoft.graph.assignLicense",
                         upn, upn, status, status, code, message, n, id)
                 .c_str());
  }
  w.EndObject();
  w.Key("target");
  w.StartArray();
  w.StartObject();
  w.Key("type");
  w.String("AppUser");
  w.Key("alternateId");
  w.String(upn.c_str());
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return b.GetString();
}

}  // namespace

okta_idp::okta_idp(sim_options const& options, tenant& t) : options_(options), tenant_(t) {}

void okta_idp::push_all() {
  pushed_ = true;
  auto const start = std::chrono::system_clock::now();
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < tenant_.index_end(); ++i) {
    if (!tenant_.exists(i) || !tenant_.has_licenses(i)) continue;
    std::vector<std::string> remove;
    for (auto const& sku : tenant_.sku_ids(i))
      if (std::find(options_.idp_managed_skus.begin(), options_.idp_managed_skus.end(), sku) ==
          options_.idp_managed_skus.end())
        remove.push_back(sku);
    assign_outcome outcome;
    if (draw(options_.seed, i) < options_.idp_unexplained)
      // The provider's own failure (a broken connector, a throttled push): Graph never saw this call.
      outcome = {403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."};
    else if (!remove.empty()) outcome = tenant_.assign_license(i, {}, remove);
    auto const id = tenant_.object_id(i);
    outcome_of_[id] = outcome.status;
    ++n;
    events_.push_back(log_event(n, base::utc_iso_millis(start + std::chrono::milliseconds{n}), id,
                                tenant_.user_principal_name(i), outcome.status, outcome.code, outcome.message));
  }
}

sim_response okta_idp::handle(sim_request const& req, std::string const& base_url) {
  sim_response res;
  res.content_type = "application/json";
  auto const auth = req.header("authorization");
  if (!auth || *auth != "SSWS " + okta_token_of(options_)) {
    res.status = 401;
    res.body = R"({"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011",)"
               R"("errorId":"sim","errorCauses":[]})";
    return res;
  }
  auto const second =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (second != window_) window_ = second, used_ = 0;
  unsigned const limit = options_.okta_rate_limit == 0 ? 600 : options_.okta_rate_limit;
  res.set_header("X-Rate-Limit-Limit", std::to_string(limit));
  res.set_header("X-Rate-Limit-Reset", std::to_string(window_ + 1));
  if (options_.okta_rate_limit > 0 && used_ >= options_.okta_rate_limit) {
    res.status = 429;
    res.set_header("X-Rate-Limit-Remaining", "0");
    res.body = R"({"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."})";
    return res;
  }
  ++used_;
  res.set_header("X-Rate-Limit-Remaining", std::to_string(limit - std::min(limit, used_)));
  if (!pushed_) push_all();

  std::size_t page = 100, after = 0;
  if (auto v = query_value(req.target, "limit"); !v.empty()) std::from_chars(v.data(), v.data() + v.size(), page);
  page = std::clamp<std::size_t>(page, 1, 1000);
  if (auto v = query_value(req.target, "after"); !v.empty()) std::from_chars(v.data(), v.data() + v.size(), after);
  after = std::min(after, events_.size());
  std::size_t const end = std::min(events_.size(), after + page);
  res.body = "[";
  for (std::size_t k = after; k < end; ++k) res.body += (k == after ? "" : ",") + events_[k];
  res.body += "]";
  res.items = end - after;
  if (end < events_.size())
    res.set_header("Link", fmt::format("<{}/api/v1/logs?limit={}&after={}>; rel=\"next\"", base_url, page, end));
  return res;
}

sim_response okta_idp::outcomes() {
  sim_response res;
  res.content_type = "application/json";
  res.body = "{";
  bool first = true;
  for (auto const& [id, status] : outcome_of_) {
    res.body += fmt::format("{}\"{}\":{}", first ? "" : ",", id, status);
    first = false;
  }
  res.body += "}";
  return res;
}

std::string okta_token_of(const sim_options& options) {
  if (!options.okta_token.empty()) return options.okta_token;
  return fmt::format("00sim{:016x}", static_cast<std::uint64_t>(draw(options.seed, 0x6f6b7461) * 1e18));
}

}  // namespace graphsim
