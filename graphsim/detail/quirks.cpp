// The --quirk NAME[=N] names and the sim_options fields they set (docs/graphsim.md, "Quirks").
#include "graphsim/server.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <functional>

namespace graphsim {
namespace {

struct quirk_spec {
  std::string_view name;
  bool takes_number;  // NAME=N (N ≥ 1), else plain NAME
  std::function<void(sim_options&, std::uint64_t)> set;
};

std::array<quirk_spec, 12> const& specs() {
  static std::array<quirk_spec, 12> const all{{
      {"no-count", false, [](sim_options& o, std::uint64_t) { o.quirks.no_count = true; }},
      {"no-range-filter", false, [](sim_options& o, std::uint64_t) { o.quirks.no_range_filter = true; }},
      {"count-lag", true, [](sim_options& o, std::uint64_t n) { o.count_lag = n; }},
      {"no-advanced-queries", false, [](sim_options& o, std::uint64_t) { o.advanced_queries = false; }},
      {"expired-page-token-after", true,
       [](sim_options& o, std::uint64_t n) { o.quirks.expired_page_token_after = n; }},
      {"licensedetails-forbidden", false,
       [](sim_options& o, std::uint64_t) { o.quirks.license_details_forbidden = true; }},
      {"users-deleted-during-scan", true,
       [](sim_options& o, std::uint64_t n) { o.quirks.users_deleted_during_scan = n; }},
      {"skewed-upns", false, [](sim_options& o, std::uint64_t) { o.quirks.skewed_upns = true; }},
      {"empty-page", true, [](sim_options& o, std::uint64_t n) { o.quirks.empty_page = n; }},
      {"nextlink-loop", true, [](sim_options& o, std::uint64_t n) { o.quirks.nextlink_loop = n; }},
      {"duplicate-users", true, [](sim_options& o, std::uint64_t n) { o.quirks.duplicate_users = n; }},
      {"no-group-license-filter", false,
       [](sim_options& o, std::uint64_t) { o.quirks.no_group_license_filter = true; }},
  }};
  return all;
}

}  // namespace

base::result<void> apply_quirk(sim_options& options, std::string_view spec) {
  auto const eq = spec.find('=');
  std::string_view const name = spec.substr(0, eq);
  for (auto const& q : specs()) {
    if (q.name != name) continue;
    if (!q.takes_number) {
      if (eq != std::string_view::npos)
        return base::usage_error(fmt::format("--quirk {} takes no value, not '{}'", name, spec.substr(eq + 1)));
      q.set(options, 0);
      return {};
    }
    std::string_view const text = eq == std::string_view::npos ? std::string_view() : spec.substr(eq + 1);
    std::uint64_t n = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n == 0)
      return base::usage_error(fmt::format("--quirk {} needs a number of at least 1: --quirk {}=N", name, name));
    q.set(options, n);
    return {};
  }
  return base::usage_error(fmt::format("unknown --quirk '{}': expected one of {}", name, quirk_names()));
}

std::string quirk_names() {
  std::string out;
  for (auto const& q : specs()) {
    if (!out.empty()) out += ", ";
    out += q.name;
    if (q.takes_number) out += "=N";
  }
  return out;
}

}  // namespace graphsim
