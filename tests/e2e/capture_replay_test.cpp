// `scan --capture DIR` then `sim --replay DIR` (docs/capture.md): the replay of a capture gives the same snapshot
// (pseudonyms aside) or the same failure, and the capture holds nothing of the tenant's people or credentials.
#include "e2e/emulated_tenant.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using test_support::run_entra_audit;

namespace {

namespace fs = std::filesystem;
using cell = std::optional<std::string>;
using row = std::vector<cell>;

struct table {
  std::vector<std::string> columns;
  std::vector<row> rows;
};

// Rows of the latest complete snapshot (scan_id, seq and user_seq left out: arrival order differs between runs).
table read_table(const std::string& db, const std::string& name) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::string const sql =
      "SELECT * FROM " + name + " WHERE scan_id = (SELECT max(scan_id) FROM scans WHERE status = 'complete')";
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  table t;
  std::vector<int> kept;
  for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
    std::string const column = sqlite3_column_name(stmt, i);
    if (column == "scan_id" || column == "seq" || column == "user_seq") continue;
    kept.push_back(i);
    t.columns.push_back(column);
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    row r;
    for (int i : kept) {
      auto const* text = sqlite3_column_text(stmt, i);
      r.push_back(text == nullptr ? cell() : cell(reinterpret_cast<const char*>(text)));
    }
    t.rows.push_back(std::move(r));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return t;
}

// Original value ↔ pseudonym, one to one across every pseudonymized column.
struct bijection {
  std::map<std::string, std::string> forward, backward;
  void pair(const std::string& original, const std::string& pseudonym) {
    auto [f, new_f] = forward.emplace(original, pseudonym);
    auto [b, new_b] = backward.emplace(pseudonym, original);
    CHECK_MESSAGE(f->second == pseudonym, original);
    CHECK_MESSAGE(b->second == original, pseudonym);
    if (!original.empty()) CHECK_MESSAGE(original != pseudonym, original);
  }
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

const std::set<std::string> pseudonymized_columns{"user_principal_name", "display_name", "mail",
                                                  "department",          "owner_upns",   "group_names"};

// Compares one table of two snapshots: every column equal but the pseudonymized ones (mapped one to one through
// names) and recommended_action (equal once the row's names are mapped).
void compare_table(const std::string& a_db, const std::string& b_db, const std::string& name, bijection& names) {
  INFO("table " << name);
  auto a = read_table(a_db, name);
  auto b = read_table(b_db, name);
  REQUIRE(a.columns == b.columns);
  REQUIRE(a.rows.size() == b.rows.size());
  auto const key = [&](const row& r) {
    row k;
    for (std::size_t i = 0; i < r.size(); ++i)
      if (!pseudonymized_columns.count(a.columns[i]) && a.columns[i] != "recommended_action") k.push_back(r[i]);
    return k;
  };
  auto const by_key = [&](const row& x, const row& y) { return key(x) < key(y); };
  std::sort(a.rows.begin(), a.rows.end(), by_key);
  std::sort(b.rows.begin(), b.rows.end(), by_key);
  for (std::size_t r = 0; r < a.rows.size(); ++r) {
    std::vector<std::pair<std::string, std::string>> row_names;
    std::size_t action = a.columns.size();
    for (std::size_t c = 0; c < a.columns.size(); ++c) {
      auto const& x = a.rows[r][c];
      auto const& y = b.rows[r][c];
      if (a.columns[c] == "recommended_action") {
        action = c;
      } else if (!pseudonymized_columns.count(a.columns[c]) || !x || !y) {
        CHECK_MESSAGE(x == y, a.columns[c]);
      } else {
        bool const list = a.columns[c] == "owner_upns" || a.columns[c] == "group_names";
        auto const xs = list ? split(*x, ';') : std::vector<std::string>{*x};
        auto const ys = list ? split(*y, ';') : std::vector<std::string>{*y};
        REQUIRE(xs.size() == ys.size());
        // Lists are sorted on each side: pair them through the names already known where the order differs.
        for (std::size_t i = 0; i < xs.size(); ++i) {
          auto const known = names.forward.find(xs[i]);
          std::string const mapped = known != names.forward.end() ? known->second : ys[i];
          CHECK(std::find(ys.begin(), ys.end(), mapped) != ys.end());
          names.pair(xs[i], mapped);
          row_names.emplace_back(xs[i], mapped);
        }
      }
    }
    if (action < a.columns.size() && a.rows[r][action]) {
      std::string text = *a.rows[r][action];
      for (auto const& [original, pseudonym] : row_names)
        if (!original.empty())
          for (auto pos = text.find(original); pos != std::string::npos;
               pos = text.find(original, pos + pseudonym.size()))
            text.replace(pos, original.size(), pseudonym);
      CHECK(text == b.rows[r][action]);
    }
  }
}

void compare_snapshots(const std::string& a, const std::string& b) {
  bijection names;
  for (char const* t : {"users", "user_licenses", "license_states", "license_plans", "skus", "sku_service_plans",
                        "sku_subscription_ids", "subscriptions", "findings"})
    compare_table(a, b, t, names);
  auto const scans_a = read_table(a, "scans");
  auto const scans_b = read_table(b, "scans");
  for (char const* column : {"tenant_id", "tenant_name", "license_details_mode", "pages", "users", "requests"}) {
    auto const at = std::find(scans_a.columns.begin(), scans_a.columns.end(), column) - scans_a.columns.begin();
    CHECK_MESSAGE(scans_a.rows.at(0).at(at) == scans_b.rows.at(0).at(at), column);
  }
  CHECK(names.forward.size() > 100);
}

// The text of every file under dir.
std::string every_file(const fs::path& dir) {
  std::string all;
  for (auto const& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) all += test_support::read_file(entry.path()) + "\n";
  return all;
}

std::string json_escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += {'\\', c};
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}

std::string misses_of(const e2e::emulated_tenant& replay) {
  auto const stats = replay.stats_json();
  auto const at = stats.find("\"misses\":");
  return at == std::string::npos ? stats : stats.substr(at);
}

// Scans the emulator with --capture, then the replay of the capture, and compares the two snapshots.
void capture_and_replay(graphsim::sim_options o, const std::vector<std::string>& flags) {
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const original = (dir / "original.db").string();
  auto extra = flags;
  extra.insert(extra.end(), {"--capture", (dir / "capture").string()});
  auto scan = run_entra_audit(tenant.scan_args(original, extra), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);

  graphsim::sim_options r;
  r.replay_dir = (dir / "capture").string();
  e2e::emulated_tenant replay(r);
  CHECK(replay.server().tenant_id() == tenant.server().tenant_id());
  std::string const replayed = (dir / "replayed.db").string();
  auto again = run_entra_audit(replay.scan_args(replayed, flags), replay.env());
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(misses_of(replay) == "\"misses\":[]}");
  compare_snapshots(original, replayed);
}

}  // namespace

TEST_CASE(
    "a capture of a sharded derived scan of 4,000 users replays to the same snapshot, row for row but for "
    "the pseudonyms, which map one to one") {
  graphsim::sim_options o;
  o.users = 4000;
  o.seed = 11;
  capture_and_replay(o, {"--shards", "8"});
}

TEST_CASE("a capture of a --license-details fetch scan replays to the same snapshot, plans included") {
  graphsim::sim_options o;
  o.users = 1500;
  o.seed = 12;
  capture_and_replay(o, {"--license-details", "fetch", "--shards", "4"});
}

TEST_CASE("a capture holds no secret, token, user principal name, display name, mail or department of the tenant") {
  graphsim::sim_options o;
  o.users = 1500;
  o.seed = 13;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  auto const capture = dir / "capture";
  auto scan = run_entra_audit(tenant.scan_args(db, {"--shards", "4", "--capture", capture.string()}), tenant.env());
  INFO(scan.err);
  REQUIRE(scan.exit_code == 0);

  std::string const all = every_file(capture);
  CHECK(all.find(tenant.secret()) == std::string::npos);
  CHECK(all.find("Bearer ") == std::string::npos);
  // Every token response is the placeholder.
  std::size_t tokens = 0;
  for (auto at = all.find("\"access_token\""); at != std::string::npos; at = all.find("\"access_token\"", at + 1)) {
    ++tokens;
    CHECK(all.compare(at, 26, "\"access_token\":\"<removed>\"") == 0);
  }
  CHECK(tokens >= 1);

  auto const users = read_table(db, "users");
  std::size_t checked = 0;
  for (auto const& r : users.rows) {
    for (std::size_t c = 0; c < users.columns.size(); ++c) {
      if (!pseudonymized_columns.count(users.columns[c]) || !r[c] || r[c]->size() < 4) continue;
      ++checked;
      INFO(users.columns[c] << " = " << *r[c]);
      CHECK(all.find(*r[c]) == std::string::npos);
      CHECK(all.find(json_escaped(*r[c])) == std::string::npos);
    }
  }
  CHECK(checked > 3000);
}

TEST_CASE("a failed real run is captured, and its replay fails the scan the same way, naming the same request") {
  graphsim::sim_options o;
  o.users = 3000;
  o.fault_schedule = "5-:500";  // organization, SKUs, subscriptions, the first users page; then every answer 500
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto const capture = dir / "capture";
  auto failed = run_entra_audit(
      tenant.scan_args((dir / "a.db").string(), {"--shards", "off", "--capture", capture.string()}), tenant.env());
  REQUIRE(failed.exit_code == 1);

  graphsim::sim_options r;
  r.replay_dir = capture.string();
  e2e::emulated_tenant replay(r);
  auto again = run_entra_audit(replay.scan_args((dir / "b.db").string(), {"--shards", "off"}), replay.env());
  CHECK(again.exit_code == failed.exit_code);
  auto const line = [](const std::string& err, const std::string& root) {
    std::string found;
    for (auto const& l : split(err, '\n'))
      if (l.find(" failed: ") != std::string::npos) found = l;
    for (auto pos = found.find(root); pos != std::string::npos; pos = found.find(root))
      found.replace(pos, root.size(), "ROOT");
    return found;
  };
  auto const original_line = line(failed.err, tenant.server().url());
  INFO(failed.err);
  INFO(again.err);
  CHECK(original_line.find("GET ROOT/v1.0/users?") != std::string::npos);
  CHECK(original_line.find("failed: 500 generalException") != std::string::npos);
  CHECK(original_line.find("request-id") != std::string::npos);
  CHECK(line(again.err, replay.server().url()) == original_line);
  CHECK(misses_of(replay) == "\"misses\":[]}");
  auto const manifest = test_support::read_file(capture / "manifest.json");
  CHECK(manifest.find("\"outcome\":\"failed\"") != std::string::npos);
}

TEST_CASE("--capture into a non-empty directory, or one that cannot be created, is a usage error before any scan") {
  graphsim::sim_options o;
  o.users = 10;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  fs::create_directory(dir / "full");
  test_support::write_file(dir / "full" / "x", "x");
  test_support::write_file(dir / "a-file", "x");
  for (auto const& target : {dir / "full", dir / "a-file" / "capture"}) {
    std::string const db = (dir / "a.db").string();
    auto scan = run_entra_audit(tenant.scan_args(db, {"--capture", target.string()}), tenant.env());
    CHECK(scan.exit_code == 2);
    CHECK(scan.err.find("--capture") != std::string::npos);
    CHECK_FALSE(fs::exists(db));
  }
  CHECK(e2e::graph_requests(tenant.stats_json()) == 0);
}

TEST_CASE("--capture-budget sets how many body bytes a capture keeps, and a spent budget marks the capture partial") {
  graphsim::sim_options o;
  o.users = 3000;  // four users pages with --shards off: the first is kept whatever the budget
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  auto capture_with = [&](const std::string& name, const std::string& budget) {
    auto const capture = dir / name;
    auto scan = run_entra_audit(
        tenant.scan_args((dir / (name + ".db")).string(),
                         {"--shards", "off", "--capture", capture.string(), "--capture-budget", budget}),
        tenant.env());
    INFO(scan.err);
    REQUIRE(scan.exit_code == 0);
    return test_support::read_file(capture / "manifest.json");
  };
  auto const none = capture_with("none", "0");
  CHECK(none.find("\"body_budget_bytes\":0,") != std::string::npos);
  CHECK(none.find("\"partial\":true") != std::string::npos);
  auto const ample = capture_with("ample", "2GiB");
  CHECK(ample.find("\"body_budget_bytes\":2147483648,") != std::string::npos);
  CHECK(ample.find("\"partial\":false") != std::string::npos);
  // The ample capture kept every body, the empty budget only each endpoint's first.
  auto const files = [&](const std::string& name) {
    return std::distance(fs::directory_iterator(dir / name / "bodies"), fs::directory_iterator());
  };
  CHECK(files("none") < files("ample"));
  // The three users pages after the first, and the second $batch (the licensing groups and the subscription owners
  // are both read ahead in one, side by side: whichever comes second).
  CHECK(files("ample") - files("none") == 4);
}

TEST_CASE("--capture-budget that is not a size, or without --capture, is a usage error naming it before any request") {
  graphsim::sim_options o;
  o.users = 10;
  e2e::emulated_tenant tenant(o);
  test_support::temp_dir dir;
  std::string const db = (dir / "a.db").string();
  for (std::string const bad : {"5XB", "-1", "1.5GiB", "2048GiB", "", "12 MiB"}) {
    CAPTURE(bad);
    auto scan = run_entra_audit(tenant.scan_args(db, {"--capture", (dir / "c").string(), "--capture-budget", bad}),
                                tenant.env());
    CHECK(scan.exit_code == 2);
    CHECK(scan.err.find("--capture-budget") != std::string::npos);
  }
  auto alone = run_entra_audit(tenant.scan_args(db, {"--capture-budget", "1GiB"}), tenant.env());
  CHECK(alone.exit_code == 2);
  CHECK(alone.err.find("--capture-budget") != std::string::npos);
  CHECK(alone.err.find("--capture DIR") != std::string::npos);
  CHECK_FALSE(fs::exists(db));
  CHECK_FALSE(fs::exists(dir / "c"));
  CHECK(e2e::graph_requests(tenant.stats_json()) == 0);
}
