// reports/fail_on.hpp — the conditions of `scan --fail-on` (docs/design.md §2.3), declared once: a condition is
// one row of fail_conditions, deciding on the facts of one finished scan. Adding one is a row here plus the fact
// it reads in fail_on_facts (and its tests).
#pragma once

#include "base/error.hpp"
#include "reports/detail/changes.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

// What a finished scan tells the conditions.
struct fail_on_facts {
  std::int64_t findings = 0;                  // the new snapshot's findings
  const snapshot_changes* changes = nullptr;  // since the previous complete snapshot; set when a condition needs it
  bool door_open = false;                     // a door of the new snapshot is open (docs/design.md §7)
  std::int64_t missed = 0;  // users the identity provider saw refused that no snapshot predicted (docs/design.md §8)
};

struct fail_condition {
  std::string_view name;     // as --fail-on takes it
  std::string_view meaning;  // one line, for --help
  bool needs_changes;        // reads fail_on_facts::changes (the scan then compares with the previous snapshot)
  bool (*met)(const fail_on_facts& facts);
  bool needs_calibration = false;  // reads fail_on_facts::missed (the scan then compares with the ingested events)
};

namespace detail {
inline bool any_findings(const fail_on_facts& f) { return f.findings > 0; }
inline bool new_findings(const fail_on_facts& f) { return f.changes != nullptr && !f.changes->added.empty(); }
inline bool newly_refused(const fail_on_facts& f) { return f.changes != nullptr && !f.changes->newly_refused.empty(); }
inline bool door_open(const fail_on_facts& f) { return f.door_open; }
inline bool missed(const fail_on_facts& f) { return f.missed > 0; }
}  // namespace detail

inline constexpr fail_condition fail_conditions[] = {
    {"new", "findings not in the tenant's previous complete snapshot (identity: user, SKU, origin)", true,
     detail::new_findings},
    {"refused", "users whose assignLicense would now be refused and were not in the previous snapshot", true,
     detail::newly_refused},
    {"any", "any findings (as --fail-on-findings)", false, detail::any_findings},
    {"door-open", "a tenant setting that lets users sign up, start trials or buy licenses themselves is open", false,
     detail::door_open},
    {"missed", "the identity provider saw assignLicense refused for users no snapshot predicted (entra-audit ingest)",
     false, detail::missed, true},
};

// The conditions of a comma-separated list ("new,refused"), each once, in table order; an unknown or empty name is
// a usage error naming the known ones.
base::result<std::vector<const fail_condition*>> parse_fail_on(std::string_view list);
// "new, refused, any": the names, for help and errors.
std::string fail_condition_names();
// True when one of the conditions is met.
bool any_met(const std::vector<const fail_condition*>& conditions, const fail_on_facts& facts);

}  // namespace reports
