// Predicted versus observed. Each event is judged against what entra-audit knew before it: the newest complete
// snapshot finished at or before the event (a snapshot taken after a push may already show the fix). A user's newest
// event decides what was observed, so a failure followed by a successful push is a success.
#include "reports/calibration.hpp"

#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace reports {
namespace {

bool refused(std::string_view outcome) { return outcome == "removal_refused_403" || outcome == "removal_refused_400"; }

// What one matched snapshot says about the users its events name.
struct snapshot_view {
  std::unordered_map<std::string, std::string> id_of_upn;  // lower-case principal name → id
  std::unordered_map<std::string, std::string> upn_of_id;
  std::unordered_map<std::string, std::vector<calibration_license>> licenses;  // by user id
};

base::result<snapshot_view> read_snapshot(storage::database& db, std::int64_t scan_id,
                                          const std::vector<const storage::idp_event_record*>& events) {
  std::unordered_set<std::string> ids, upns;
  for (const auto* e : events) {
    if (!e->user_id.empty()) ids.insert(ascii_lower(e->user_id));
    else upns.insert(ascii_lower(e->user_principal_name));
  }
  auto skus = db.skus(scan_id);
  if (!skus) return skus.error();
  std::unordered_map<std::string, std::string> part_number;
  for (const auto& s : *skus) part_number[ascii_lower(s.sku_id)] = s.sku_part_number;

  snapshot_view v;
  auto users = db.for_each_user(scan_id, [&](const storage::user_licenses& u) {
    auto const id = ascii_lower(u.user.id);
    auto const upn = ascii_lower(u.user.user_principal_name);
    if (!ids.contains(id) && !upns.contains(upn)) return;
    v.id_of_upn[upn] = id;
    v.upn_of_id[id] = u.user.user_principal_name;
    auto& held = v.licenses[id];
    for (const auto& l : u.licenses) {
      auto const sku = ascii_lower(l.sku_id);
      auto const pn = part_number.find(sku);
      held.push_back({.sku_id = sku,
                      .sku_part_number = pn == part_number.end() ? std::string{} : pn->second,
                      .origin = "organization",
                      .idp_outcome = {},
                      .evidence = {}});
    }
  });
  if (!users) return users.error();
  auto findings = db.for_each_finding(scan_id, [&](const storage::finding_record& f) {
    auto it = v.licenses.find(ascii_lower(f.user_id));
    if (it == v.licenses.end()) return;
    for (auto& l : it->second)
      if (l.sku_id == ascii_lower(f.sku_id)) {
        l.origin = f.origin;
        l.idp_outcome = f.idp_outcome;
        l.evidence = f.evidence;
        if (l.sku_part_number.empty()) l.sku_part_number = f.sku_part_number;
      }
  });
  if (!findings) return findings.error();
  return v;
}

std::string predicted_of(const std::vector<calibration_license>& licenses) {
  std::string best = "unaffected";
  for (const auto& l : licenses) {
    if (l.idp_outcome == "removal_refused_403") return l.idp_outcome;
    if (l.idp_outcome == "removal_refused_400") best = l.idp_outcome;
    else if (l.idp_outcome == "removal_may_be_refused" && best == "unaffected") best = l.idp_outcome;
  }
  return best;
}

std::string observed_of(const storage::idp_event_record& e) {
  if (e.outcome == "success") return "success";
  if (e.http_status == 403) return "refused_403";
  if (e.http_status == 400) return "refused_400";
  return "other_failure";
}

std::string verdict_of(std::string_view predicted, std::string_view observed) {
  bool const says_refused = refused(predicted), maybe = predicted == "removal_may_be_refused";
  if (observed == "refused_403" || observed == "refused_400")
    return says_refused ? "hit" : maybe ? "uncertain_refused" : "miss";
  if (observed == "success") return says_refused ? "contradiction" : maybe ? "uncertain_succeeded" : "agreed_success";
  return "other";
}

void count(calibration_counts& c, const calibration_user& u) {
  if (u.verdict == "hit") {
    ++c.hits;
    if (u.predicted.substr(u.predicted.size() - 3) != u.observed.substr(u.observed.size() - 3)) ++c.status_differs;
  } else if (u.verdict == "miss") {
    ++c.misses;
  } else if (u.verdict == "uncertain_refused") {
    ++c.uncertain_refused;
  } else if (u.verdict == "contradiction") {
    ++c.contradictions;
  } else if (u.verdict == "uncertain_succeeded") {
    ++c.uncertain_succeeded;
  } else if (u.verdict == "agreed_success") {
    ++c.agreed_successes;
  } else {
    ++c.other_failures;
  }
}

void finish(calibration_group& g) {
  if (g.hits + g.contradictions > 0)
    g.precision = static_cast<double>(g.hits) / static_cast<double>(g.hits + g.contradictions);
  if (g.hits + g.misses > 0) g.recall = static_cast<double>(g.hits) / static_cast<double>(g.hits + g.misses);
}

// Per origin and per SKU: a refused finding is the group's prediction (hit or contradiction); a license of a user
// observed refused that was not predicted refused is the group's miss. Each user counts once per group.
void add_to_groups(const calibration_user& u, std::map<std::string, calibration_group>& by_origin,
                   std::map<std::string, calibration_group>& by_sku) {
  std::set<std::pair<int, std::string>> seen;
  for (const auto& l : u.licenses) {
    std::string const sku = l.sku_part_number.empty() ? l.sku_id : l.sku_part_number;
    for (auto [kind, key] : {std::pair{0, l.origin}, std::pair{1, sku}}) {
      if (!seen.insert({kind, key}).second) continue;
      auto& g = (kind == 0 ? by_origin : by_sku)[key];
      g.key = key;
      bool const predicted = refused(l.idp_outcome);
      if (u.verdict == "hit" && predicted) ++g.hits;
      else if (u.verdict == "contradiction" && predicted) ++g.contradictions;
      else if ((u.verdict == "miss" || u.verdict == "uncertain_refused") && !predicted) ++g.misses;
    }
  }
}

std::vector<calibration_group> finished(std::map<std::string, calibration_group>& groups) {
  std::vector<calibration_group> out;
  for (auto& [key, g] : groups) {
    if (g.hits + g.misses + g.contradictions == 0) continue;  // its users' pushes neither refused nor predicted
    finish(g);
    out.push_back(g);
  }
  return out;
}

}  // namespace

base::result<calibration> calibrate(storage::database& db, const std::string& tenant_id) {
  auto latest = db.latest_complete_scan(tenant_id);
  if (!latest) return latest.error();
  if (!*latest)
    return base::usage_error(
        fmt::format("no complete snapshot{} in '{}' to compare the identity provider's events "
                    "with — run `entra-audit scan --idp-managed-skus …` first",
                    tenant_id.empty() ? "" : " of tenant " + tenant_id, db.path()));
  calibration c;
  c.tenant_id = (*latest)->tenant_id;
  c.latest_scan_id = (*latest)->scan_id;

  auto scans = db.scans(c.tenant_id);
  if (!scans) return scans.error();
  std::vector<std::pair<std::string, std::int64_t>> complete;  // (finished_at, scan_id), oldest first
  for (const auto& s : *scans)
    if (s.status == storage::scan_status::complete) complete.emplace_back(s.finished_at, s.scan_id);
  std::sort(complete.begin(), complete.end());

  std::vector<storage::idp_event_record> events;
  if (auto r = db.for_each_idp_event([&](const storage::idp_event_record& e) { events.push_back(e); }); !r)
    return r.error();
  c.events = static_cast<std::int64_t>(events.size());

  std::map<std::int64_t, std::vector<const storage::idp_event_record*>> by_scan;
  for (const auto& e : events) {
    auto it = std::upper_bound(complete.begin(), complete.end(), std::pair{e.observed_at, INT64_MAX});
    if (it == complete.begin()) {
      ++c.counts.unmatched_events;
      continue;
    }
    by_scan[std::prev(it)->second].push_back(&e);
  }

  // The newest event of each user (events are oldest first), with what its snapshot said.
  std::map<std::string, calibration_user> users;
  for (const auto& [scan_id, scan_events] : by_scan) {
    auto view = read_snapshot(db, scan_id, scan_events);
    if (!view) return view.error();
    for (const auto* e : scan_events) {
      std::string id = ascii_lower(e->user_id);
      if (id.empty())
        if (auto it = view->id_of_upn.find(ascii_lower(e->user_principal_name)); it != view->id_of_upn.end())
          id = it->second;
      auto held = view->licenses.find(id);
      if (id.empty() || held == view->licenses.end()) {
        ++c.counts.unmatched_events;
        continue;
      }
      auto& u = users[id];
      if (!u.observed_at.empty() && u.observed_at > e->observed_at) continue;
      u = {.user_id = id,
           .user_principal_name = view->upn_of_id[id],
           .predicted = predicted_of(held->second),
           .observed = observed_of(*e),
           .verdict = {},
           .observed_at = e->observed_at,
           .http_status = e->http_status,
           .error_code = e->error_code,
           .error_message = e->error_message,
           .request_id = e->request_id,
           .scan_id = scan_id,
           .licenses = held->second};
      u.verdict = verdict_of(u.predicted, u.observed);
    }
  }

  std::unordered_set<std::string> refused_unseen;
  auto latest_findings = db.for_each_finding(c.latest_scan_id, [&](const storage::finding_record& f) {
    if (!f.idp_outcome.empty()) c.preflight = true;
    if (refused(f.idp_outcome) && !users.contains(ascii_lower(f.user_id)))
      refused_unseen.insert(ascii_lower(f.user_id));
  });
  if (!latest_findings) return latest_findings.error();
  c.counts.predicted_not_seen = static_cast<std::int64_t>(refused_unseen.size());

  std::map<std::string, calibration_group> by_origin, by_sku;
  for (auto& [id, u] : users) {
    count(c.counts, u);
    add_to_groups(u, by_origin, by_sku);
    for (const auto& l : u.licenses) c.preflight = c.preflight || !l.idp_outcome.empty();
    c.users.push_back(u);
  }
  c.overall = {.key = {},
               .hits = c.counts.hits,
               .misses = c.counts.misses + c.counts.uncertain_refused,
               .contradictions = c.counts.contradictions};
  finish(c.overall);
  c.by_origin = finished(by_origin);
  c.by_sku = finished(by_sku);
  std::sort(c.users.begin(), c.users.end(), [](const auto& a, const auto& b) {
    return std::tie(a.user_principal_name, a.user_id) < std::tie(b.user_principal_name, b.user_id);
  });
  return c;
}

}  // namespace reports
