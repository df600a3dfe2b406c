#include "reports/fail_on.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace reports {

std::string fail_condition_names() {
  std::string names;
  for (const auto& c : fail_conditions) names += (names.empty() ? "" : ", ") + std::string(c.name);
  return names;
}

base::result<std::vector<const fail_condition*>> parse_fail_on(std::string_view list) {
  std::vector<bool> chosen(std::size(fail_conditions), false);
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view name = list.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    auto const it = std::find_if(std::begin(fail_conditions), std::end(fail_conditions),
                                 [&](const fail_condition& c) { return c.name == name; });
    if (it == std::end(fail_conditions))
      return base::usage_error(fmt::format("unknown --fail-on condition '{}': expected a comma-separated list of {}",
                                           name, fail_condition_names()));
    chosen[static_cast<std::size_t>(it - std::begin(fail_conditions))] = true;
    start = end + 1;
  }
  std::vector<const fail_condition*> out;
  for (std::size_t i = 0; i < chosen.size(); ++i)
    if (chosen[i]) out.push_back(&fail_conditions[i]);
  return out;
}

bool any_met(const std::vector<const fail_condition*>& conditions, const fail_on_facts& facts) {
  return std::any_of(conditions.begin(), conditions.end(), [&](const fail_condition* c) { return c->met(facts); });
}

}  // namespace reports
