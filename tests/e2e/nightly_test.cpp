// Nightly scans of a churning emulated tenant: what `scan --fail-on new` and `--changes-md` say each night
// against the emulator's ground truth of two consecutive nights, and `report --user` across the nights.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

using test_support::run_entra_audit;

namespace {

// (user principal name, SKU as the changes name it, origin): what a person reads in the Markdown.
using named = std::tuple<std::string, std::string, std::string>;

std::set<named> truth_named(const std::string& csv) {
  std::set<named> out;
  auto const rows = test_support::parse_csv(csv);
  for (std::size_t r = 1; r < rows.size(); ++r)
    out.emplace(rows[r][2], rows[r][8].empty() ? rows[r][7] : rows[r][8], rows[r][10]);
  return out;
}

std::set<named> minus(const std::set<named>& a, const std::set<named>& b) {
  std::set<named> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

// Markdown escapes (a backslash before a character) undone.
std::string unescape(std::string_view cell) {
  std::string out;
  for (std::size_t i = 0; i < cell.size(); ++i) {
    if (cell[i] == '\\' && i + 1 < cell.size()) ++i;
    out += cell[i];
  }
  return out;
}

// The rows of the table under the heading that starts with title ("**New findings").
std::set<named> table_rows(const std::string& md, const std::string& title) {
  std::set<named> rows;
  auto at = md.find(title);
  if (at == std::string::npos) return rows;
  at = md.find("|---", at);
  at = md.find('\n', at) + 1;
  while (at < md.size() && md[at] == '|') {
    auto const end = md.find('\n', at);
    std::string const line = md.substr(at, end - at);
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\') {
        ++i;
        continue;
      }
      if (line[i] == '|') {
        std::string cell = line.substr(start, i - start);
        cell = cell.substr(1, cell.size() - 2);  // the spaces around it
        cells.push_back(unescape(cell));
        start = i + 1;
      }
    }
    REQUIRE(cells.size() == 3);
    rows.emplace(cells[0], cells[1], cells[2]);
    at = end + 1;
  }
  return rows;
}

}  // namespace

TEST_CASE("nightly scans of a churning tenant exit 3 exactly on nights with new findings and list the changes") {
  e2e::emulated_tenant tenant(e2e::churning_tenant(600, 3, 0.05));
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  std::string const changes = (dir / "changes.md").string();

  // Night 0: the tenant's first snapshot; everything is new.
  auto first =
      run_entra_audit(tenant.scan_args(db, {"--fail-on", "new", "--changes-md", changes, "--keep", "3"}), tenant.env());
  INFO(first.err);
  REQUIRE(first.exit_code == 3);
  auto previous = truth_named(tenant.truth_csv());
  REQUIRE_FALSE(previous.empty());
  CHECK(table_rows(test_support::read_file(changes), "**New findings") == previous);

  int nights_with_new = 0, nights_without_new = 0;
  // Night 3 has no churn: the mail of a quiet night is empty.
  for (std::string const churn : {"", "", "0", "", ""}) {
    tenant.advance(churn);
    auto const now = tenant.truth();
    auto const truth = truth_named(tenant.truth_csv());
    CHECK(now.size() == truth.size());
    auto const added = minus(truth, previous), resolved = minus(previous, truth);
    CAPTURE(churn);
    auto scan = run_entra_audit(
        tenant.scan_args(db, {"--fail-on", "new", "--changes-md", churn == "0" ? "-" : changes, "--keep", "3"}),
        tenant.env());
    INFO(scan.err);
    CHECK(scan.exit_code == (added.empty() ? 0 : 3));
    (added.empty() ? nights_without_new : nights_with_new) += 1;
    if (churn == "0") {
      CHECK(added.empty());
      CHECK(resolved.empty());
      CHECK(scan.out.empty());  // nothing at all on stdout: cron sends no mail
    } else {
      auto const md = test_support::read_file(changes);
      CHECK(table_rows(md, "**New findings") == added);
      CHECK(table_rows(md, "**Resolved findings") == resolved);
      CHECK(md.empty() == (added.empty() && resolved.empty()));
    }
    previous = truth;
  }
  CHECK(nights_with_new >= 3);
  CHECK(nights_without_new >= 1);
}

TEST_CASE("report --user shows a trial appearing and going across nightly snapshots") {
  e2e::emulated_tenant tenant(e2e::churning_tenant(400, 5, 0.08));
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  auto scan = [&] {
    auto r = run_entra_audit(tenant.scan_args(db, {"--keep", "10"}), tenant.env());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  // The users the truth shows holding a trial tonight.
  auto trials = [&] {
    std::set<std::string> upns;
    for (auto const& [upn, sku, origin] : truth_named(tenant.truth_csv()))
      if (origin == "self_service_trial") upns.insert(upn);
    return upns;
  };
  scan();
  std::string user;
  int started = -1, ended = -1;
  std::vector<std::set<std::string>> nights{trials()};
  for (int night = 1; night <= 6; ++night) {
    tenant.advance();
    scan();
    nights.push_back(trials());
  }
  // A user who gained the trial on some night and lost it on a later one.
  for (std::size_t a = 1; a < nights.size() && user.empty(); ++a) {
    for (auto const& upn : nights[a]) {
      if (nights[a - 1].contains(upn)) continue;
      std::size_t b = a + 1;
      while (b < nights.size() && nights[b].contains(upn)) ++b;
      if (b == nights.size()) continue;
      user = upn;
      started = static_cast<int>(a);
      ended = static_cast<int>(b);
      break;
    }
  }
  REQUIRE_FALSE(user.empty());
  CAPTURE(user);

  auto report = run_entra_audit({"report", "--db", db, "--user", user});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  CAPTURE(report.out);
  // Snapshots are numbered from 1 on night 0.
  std::string row;
  auto const at = report.out.find("| Microsoft\\_Teams\\_Exploratory\\_Dept | self\\_service\\_trial | snapshot " +
                                  std::to_string(started + 1) + " (");
  REQUIRE(at != std::string::npos);
  row = report.out.substr(at, report.out.find('\n', at) - at);
  CHECK(row.find("| snapshot " + std::to_string(ended + 1) + " (") != std::string::npos);

  auto unknown = run_entra_audit({"report", "--db", db, "--user", "nobody@example.com"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("no user 'nobody@example.com'") != std::string::npos);
}

TEST_CASE("--fail-on refused exits 3 exactly on nights the truth shows a user newly blocked") {
  e2e::emulated_tenant tenant(e2e::churning_tenant(500, 8, 0.04));
  test_support::temp_dir dir;
  std::string const db = (dir / "audit.db").string();
  std::string const changes = (dir / "changes.md").string();
  // docs/design.md §4.3: outside the managed set, these origins are refused (403, or 400 for group_inherited).
  std::set<std::string> const managed{"ENTERPRISEPACK", "SPE_E5", "EMSPREMIUM"};
  std::set<std::string> const refusing{"partner_managed", "self_service_trial", "self_service_purchase",
                                       "group_inherited"};
  auto blocked = [&] {
    std::set<std::string> upns;
    auto const rows = test_support::parse_csv(tenant.truth_csv());
    for (std::size_t r = 1; r < rows.size(); ++r)
      if (!managed.contains(rows[r][8]) && refusing.contains(rows[r][10])) upns.insert(rows[r][2]);
    return upns;
  };
  std::vector<std::string> const flags{
      "--fail-on", "refused", "--idp-managed-skus", "ENTERPRISEPACK,SPE_E5,EMSPREMIUM", "--changes-md", changes};
  auto first = run_entra_audit(tenant.scan_args(db, flags), tenant.env());
  INFO(first.err);
  REQUIRE(first.exit_code == 3);  // the first snapshot: every blocked user is newly blocked
  auto previous = blocked();
  int nights_blocking = 0;
  for (int night = 1; night <= 4; ++night) {
    CAPTURE(night);
    tenant.advance();
    auto const now = blocked();
    std::set<std::string> newly;
    std::set_difference(now.begin(), now.end(), previous.begin(), previous.end(), std::inserter(newly, newly.end()));
    auto scan = run_entra_audit(tenant.scan_args(db, flags), tenant.env());
    INFO(scan.err);
    CHECK(scan.exit_code == (newly.empty() ? 0 : 3));
    nights_blocking += newly.empty() ? 0 : 1;
    auto const md = test_support::read_file(changes);
    std::set<std::string> listed;
    auto at = md.find("**Newly blocked");
    if (at != std::string::npos) {
      at = md.find('\n', md.find("|---", at)) + 1;
      while (at < md.size() && md[at] == '|') {
        auto const end = md.find(" | ", at);
        listed.insert(unescape(md.substr(at + 2, end - at - 2)));
        at = md.find('\n', at) + 1;
      }
    }
    CHECK(listed == newly);
    previous = now;
  }
  CHECK(nights_blocking >= 1);
}
