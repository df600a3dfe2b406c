#include "graphsim/detail/faults.hpp"

#include "graphsim/detail/text.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>

namespace graphsim {
namespace {

constexpr std::array<std::pair<std::string_view, fault>, 8> fault_names{{
    {"503", fault::unavailable_503},
    {"500", fault::internal_500},
    {"504", fault::timeout_504},
    {"429", fault::throttled_429},
    {"reset", fault::reset},
    {"truncate", fault::truncate},
    {"malformed", fault::malformed},
    {"slow", fault::slow},
}};

bool parse_number(std::string_view s, std::uint64_t& out) {
  auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && !s.empty();
}

// The random mix: mostly the retryable statuses a scanner meets in the wild, some wire damage.
fault random_kind(std::mt19937_64& rng) {
  constexpr std::array<std::pair<fault, unsigned>, 8> weights{{
      {fault::unavailable_503, 30},
      {fault::throttled_429, 20},
      {fault::internal_500, 10},
      {fault::timeout_504, 10},
      {fault::reset, 10},
      {fault::truncate, 10},
      {fault::malformed, 5},
      {fault::slow, 5},
  }};
  unsigned pick = static_cast<unsigned>(rng() % 100);
  for (auto const& [kind, weight] : weights) {
    if (pick < weight) return kind;
    pick -= weight;
  }
  return fault::unavailable_503;
}

}  // namespace

std::string_view to_string(fault f) {
  for (auto const& [name, kind] : fault_names)
    if (kind == f) return name;
  return "none";
}

base::result<std::vector<fault_rule>> parse_fault_schedule(std::string_view text) {
  std::vector<fault_rule> rules;
  text = trim(text);
  while (!text.empty()) {
    auto const comma = text.find(',');
    std::string_view const entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (entry.empty()) continue;
    auto bad = [&] {
      return base::usage_error(fmt::format(
          "invalid --fault-schedule entry '{}': expected N:KIND, N-M:KIND or N-:KIND with N from 1 and KIND one "
          "of 503, 500, 504, 429, reset, truncate, malformed, slow",
          entry));
    };
    auto const colon = entry.find(':');
    if (colon == std::string_view::npos) return bad();
    std::string_view const range = trim(entry.substr(0, colon));
    std::string_view const kind_text = trim(entry.substr(colon + 1));
    fault_rule rule;
    auto const dash = range.find('-');
    if (dash == std::string_view::npos) {
      if (!parse_number(range, rule.first)) return bad();
      rule.last = rule.first;
    } else {
      if (!parse_number(range.substr(0, dash), rule.first)) return bad();
      std::string_view const upper = range.substr(dash + 1);
      if (upper.empty()) rule.last = std::numeric_limits<std::uint64_t>::max();
      else if (!parse_number(upper, rule.last)) return bad();
    }
    if (rule.first == 0 || rule.last < rule.first) return bad();
    for (auto const& [name, kind] : fault_names)
      if (iequals(name, kind_text)) rule.kind = kind;
    if (rule.kind == fault::none) return bad();
    rules.push_back(rule);
  }
  return rules;
}

fault_plan::fault_plan(std::vector<fault_rule> schedule, double rate, std::uint64_t seed)
    : schedule_(std::move(schedule)), rate_(rate), rng_(seed) {}

fault fault_plan::next() {
  ++n_;
  for (auto const& rule : schedule_)
    if (n_ >= rule.first && n_ <= rule.last) return rule.kind;
  if (rate_ <= 0) return fault::none;
  double const draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  return draw < rate_ ? random_kind(rng_) : fault::none;
}

}  // namespace graphsim
