// The skewed-upns and users-deleted-during-scan quirks in the tenant itself: principal names as real tenants
// have them (employee numbers, leading symbols, digits-only local parts), found again by name, indexed by their
// real first character; users deleted midway out of every count and of the ground truth.
#include "graphsim/detail/tenant.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <string>

namespace {

// Every character Entra allows in a user principal name's local part (docs/graph.md §1.3, restated in
// docs/graphsim.md): letters, digits and ' . - _ ! # ^ ~.
bool allowed(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("'.-_!#^~").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

TEST_CASE(
    "skewed principal names use only allowed characters, start with every kind real tenants show, and are found "
    "again") {
  graphsim::tenant t({.users = 20'000, .seed = 3, .skewed_upns = true});
  std::set<std::string> upns;
  std::set<char> first_symbols;
  std::uint64_t members = 0, employee_numbers = 0, digits_only = 0, capitals = 0, guests = 0;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) {
    std::string const upn = t.user_principal_name(i);
    upns.insert(lower(upn));
    auto const at = upn.rfind('@');
    REQUIRE(at != std::string::npos);
    CHECK(upn.substr(at + 1) == t.default_domain());
    std::string local = upn.substr(0, at);
    bool const guest = local.ends_with("#EXT#");
    if (guest) {
      ++guests;
      local.resize(local.size() - 5);
      // <home mail with @ turned into _>: the name starts with the mail's first character.
      auto const mail = t.property_text(i, "mail");
      REQUIRE(mail);
      CHECK(local == mail->substr(0, mail->find('@')) + "_" + mail->substr(mail->find('@') + 1));
    } else {
      ++members;
      if (local.size() == 8 && local[0] == 'u' && std::all_of(local.begin() + 1, local.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          }))
        ++employee_numbers;
    }
    for (char c : local) CHECK(allowed(c));
    if (!std::isalnum(static_cast<unsigned char>(local[0]))) first_symbols.insert(local[0]);
    std::string const name = guest ? local.substr(0, local.rfind('_')) : local;  // a guest's: the mail's
    if (std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      ++digits_only;
    if (std::isupper(static_cast<unsigned char>(local[0]))) ++capitals;
    CHECK(t.find_user(upn) == i);
    CHECK(t.find_user(lower(upn)) == i);
  }
  CHECK(upns.size() == t.user_count());  // unique, ignoring case
  CHECK(first_symbols == std::set<char>{'.', '~', '\'', '-', '_', '!', '^', '#'});
  CHECK(guests > 0);
  CHECK(employee_numbers > members * 35 / 100);
  CHECK(employee_numbers < members * 45 / 100);
  CHECK(digits_only > t.user_count() / 50);
  CHECK(capitals > t.user_count() / 20);
}

TEST_CASE("a skewed tenant's prefix counts and first-character indexes agree with its names") {
  graphsim::tenant t({.users = 6'000, .seed = 8, .skewed_upns = true});
  std::vector<std::string> upns;
  for (std::uint64_t i = 0; i < t.user_count(); ++i) upns.push_back(lower(t.user_principal_name(i)));
  auto brute = [&](std::string const& prefix) {
    return static_cast<std::uint64_t>(
        std::count_if(upns.begin(), upns.end(), [&](auto const& u) { return u.starts_with(lower(prefix)); }));
  };
  std::uint64_t sum = 0;
  for (char c : std::string("abcdefghijklmnopqrstuvwxyz0123456789'.-_!#^~")) {
    CAPTURE(c);
    CHECK(t.count_upn_prefix(std::string(1, c)) == brute(std::string(1, c)));
    CHECK(t.users_with_upn_initial(c).size() == brute(std::string(1, c)));
    sum += t.count_upn_prefix(std::string(1, c));
  }
  CHECK(sum == t.user_count());
  CHECK(t.count_upn_prefix("u") > t.user_count() / 4);
  for (std::string prefix : {"u1", "u10", "U100", "1", "12@", ".", "~a", "#", "'", "^", "A"})
    CHECK(t.count_upn_prefix(prefix) == brute(prefix));
}

TEST_CASE("a skewed tenant of 100,000 users is built from its seed and serves its last user by name") {
  graphsim::tenant t({.users = 100'000, .seed = 1, .skewed_upns = true});
  std::uint64_t const last = t.user_count() - 1;
  CHECK(t.find_user(t.user_principal_name(last)) == last);
  graphsim::tenant again({.users = 100'000, .seed = 1, .skewed_upns = true});
  CHECK(again.user_principal_name(77'777) == t.user_principal_name(77'777));
}

TEST_CASE("scheduled deletions leave the upper half, drop every count, and the truth never holds them") {
  graphsim::tenant t({.users = 4'000, .seed = 6, .deleted_during_scan = 25});
  graphsim::tenant plain({.users = 4'000, .seed = 6});
  std::ostringstream truth_before, plain_truth;
  t.write_truth_csv(truth_before);
  plain.write_truth_csv(plain_truth);
  CHECK(t.deletions_pending());
  CHECK(t.user_count() == 4'000);
  std::uint64_t const licensed = t.count_licensed();
  std::vector<std::string> upns;
  for (std::uint64_t i = 0; i < t.index_end(); ++i) upns.push_back(t.user_principal_name(i));

  t.delete_scheduled_users();
  CHECK_FALSE(t.deletions_pending());
  CHECK(t.user_count() == 3'975);
  std::vector<std::uint64_t> gone;
  std::uint64_t gone_licensed = 0;
  for (std::uint64_t i = 0; i < t.index_end(); ++i)
    if (!t.exists(i)) {
      gone.push_back(i);
      gone_licensed += t.has_licenses(i) ? 1 : 0;
      CHECK(i >= 2'000);
      CHECK_FALSE(t.find_user(upns[i]));
    } else {
      CHECK(t.find_user(upns[i]) == i);
    }
  CHECK(gone.size() == 25);
  CHECK(t.count_licensed() == licensed - gone_licensed);
  std::uint64_t sum = 0;
  for (char c = 'a'; c <= 'z'; ++c) sum += t.count_upn_prefix(std::string(1, c));
  CHECK(sum == 3'975);
  CHECK(t.removed_user_ids().size() == 3 + 25);
  t.delete_scheduled_users();  // once only
  CHECK(t.user_count() == 3'975);

  // The truth, written before or after, is the plain tenant's without the deleted users.
  std::ostringstream truth_after;
  t.write_truth_csv(truth_after);
  CHECK(truth_after.str() == truth_before.str());
  std::string expected;
  std::istringstream lines(plain_truth.str());
  for (std::string line; std::getline(lines, line);) {
    bool const of_gone = std::any_of(
        gone.begin(), gone.end(), [&](std::uint64_t i) { return line.find("," + upns[i] + ",") != std::string::npos; });
    if (!of_gone) expected += line + "\n";
  }
  CHECK(truth_after.str() == expected);
}
