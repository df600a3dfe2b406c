// graphsim/detail/people.hpp — the human text of the synthetic tenant: names in many scripts with the ASCII forms
// user principal names are built from, departments, job titles, and hostile strings for display names and
// departments (CSV/formula injection, quotes, line breaks, right-to-left text, markup, emoji).
#pragma once

#include <span>
#include <string_view>

namespace graphsim::people {

struct name_part {
  std::string_view text;   // as displayed (any script)
  std::string_view ascii;  // lower-case letters, digits, '-' only: usable in a userPrincipalName
};

struct culture {
  std::string_view country;    // usageLocation (ISO 3166 alpha-2)
  std::string_view language;   // preferredLanguage
  bool family_first;           // displayName is "surname given"
  std::string_view separator;  // between the two names in displayName ("" for Chinese and Korean)
  std::span<const name_part> given;
  std::span<const name_part> surnames;
};

// Every culture names are drawn from.
std::span<const culture> cultures();
// Display names that attack spreadsheets, CSV writers, HTML reports and terminals.
std::span<const std::string_view> hostile_display_names();
// Departments, ordinary and hostile (every entry is at most 64 characters, Graph's limit).
std::span<const std::string_view> departments();
// Job titles.
std::span<const std::string_view> job_titles();
// Office locations.
std::span<const std::string_view> office_locations();
// Mail domains of guests' home organisations.
std::span<const std::string_view> guest_domains();

}  // namespace graphsim::people
