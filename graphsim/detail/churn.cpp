// One night of churn (POST /_sim/advance, docs/graphsim.md "Churn"): what changes in a real tenant between two
// nightly scans, drawn from (seed, night number) so that a series of nights is the same on every run. Changes are
// kept as the users' changed license sets (the tenant's only per-user state), deletions and new indices, so the
// ground truth (truth.cpp) follows without knowing that a night passed.
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/tenant_model.hpp"
#include "graphsim/detail/tenant_slots.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace graphsim {

using namespace detail;

namespace {

constexpr std::uint64_t tag_churn = 0x434855524e;
constexpr std::uint64_t tag_door = 0x444f4f52;
// The chance, per door and per night with churn, that an admin flips it (docs/graphsim.md "Churn"): small, so
// that most nights keep the doors, and drawn from a stream of its own, so that the users' changes stay the same.
constexpr unsigned door_flip_per_mille = 30;
// lastUpdatedDateTime of the nights' assignments: night n is day n after 2025-12-01 (after every generated one).
constexpr std::int64_t first_night = 1764547200;
constexpr std::int64_t day = 86400;
// A trial started at night n ends at night n + 2 to n + 4: compressed from the month a real one lasts, so that
// a short series of nights shows trials both starting and ending.
constexpr std::uint64_t trial_min_nights = 2, trial_extra_nights = 3;
// Tries to find a user a change may touch before that change is skipped (deleted users are not reused).
constexpr int user_draws = 8;

enum class churn_kind { trial, signup, license, group, remove_user, add_user };

// Per mille of the changes: 7.5 % new users, 7.5 % deleted, the rest license changes of existing users. A clean
// tenant (no findings by design) only gains and loses organization licenses and users.
churn_kind pick_kind(mix::stream& s, bool clean) {
  std::uint64_t const r = s.below(1000);
  if (r < 75) return churn_kind::add_user;
  if (r < 150) return churn_kind::remove_user;
  if (clean) return churn_kind::license;
  if (r < 350) return churn_kind::trial;
  if (r < 550) return churn_kind::signup;
  if (r < 800) return churn_kind::license;
  return churn_kind::group;
}

// A user a change may touch: present, not hand-placed (the purchasers and owners stay, so do the owner columns)
// and not among the users a scan will delete (users-deleted-during-scan).
std::optional<std::uint64_t> pick_user(const tenant& self, const tenant_state& t, mix::stream& s) {
  if (t.config.users <= special_users) return std::nullopt;
  for (int n = 0; n < user_draws; ++n) {
    std::uint64_t const i = special_users + s.below(t.config.users - special_users);
    if (!self.exists(i)) continue;
    if (std::binary_search(t.scheduled_deletions.begin(), t.scheduled_deletions.end(), i)) continue;
    return i;
  }
  return std::nullopt;
}

// Replaces user i's licenses with after, keeping the counts a listing serves and the delta log right.
void store_licenses(tenant_state& t, std::uint64_t i, const license_set& before, const license_set& after) {
  for (const user_license& l : before.view()) --t.skus[l.sku].consumed_units;
  for (const user_license& l : after.view()) ++t.skus[l.sku].consumed_units;
  if (before.count > 0 && after.count == 0) --t.licensed;
  if (before.count == 0 && after.count > 0) ++t.licensed;
  t.changed_licenses[i] = after;
  t.change_log.emplace_back(++t.version, i);
}

int position_of(const license_set& set, std::size_t sku) {
  for (std::uint8_t n = 0; n < set.count; ++n)
    if (set.items[n].sku == sku) return n;
  return -1;
}

void erase_at(license_set& set, int n) {
  std::copy(set.items.begin() + n + 1, set.items.begin() + set.count, set.items.begin() + n);
  --set.count;
}

assignment_state state_at(std::int64_t when, std::int16_t group) {
  assignment_state st;
  st.group = group;
  st.updated = when;
  return st;  // Active, error "None": a night's assignments succeed
}

// The user gains sku (assigned directly) or, holding it, loses it; true when they gained it.
bool toggle_license(tenant_state& t, std::uint64_t i, std::size_t sku, std::int64_t when) {
  license_set before;
  current_licenses(t, make_profile(t, i), before);
  license_set after = before;
  bool gained = false;
  if (int const n = position_of(after, sku); n >= 0) {
    erase_at(after, n);
  } else {
    if (after.count >= max_user_licenses) return false;
    gained = true;
    user_license& l = after.items[after.count++];
    l = user_license{};
    l.sku = static_cast<std::uint8_t>(sku);
    l.states[l.state_count++] = state_at(when, -1);
  }
  store_licenses(t, i, before, after);
  return gained;
}

// Ends the trials due by tonight whose users still exist and still hold them; returns how many ended.
std::uint64_t end_trials(const tenant& self, tenant_state& t, std::int64_t when) {
  std::uint64_t ended = 0;
  auto const due =
      std::stable_partition(t.trial_ends.begin(), t.trial_ends.end(), [&](const auto& e) { return e.first > t.night; });
  for (auto it = due; it != t.trial_ends.end(); ++it) {
    std::uint64_t const i = it->second;
    if (!self.exists(i)) continue;
    license_set held;
    current_licenses(t, make_profile(t, i), held);
    if (position_of(held, slot::teams_exploratory) < 0) continue;
    toggle_license(t, i, slot::teams_exploratory, when);
    ++ended;
  }
  t.trial_ends.erase(due, t.trial_ends.end());
  return ended;
}

// A group assignment changes: a license held directly (and by a group) loses its direct assignment, so it is
// inherited from the group only, or one inherited only gains a direct one; a user with neither joins a
// licensing group.
void change_group(tenant_state& t, std::uint64_t i, mix::stream& s, std::int64_t when) {
  license_set before;
  current_licenses(t, make_profile(t, i), before);
  license_set after = before;
  for (std::uint8_t n = 0; n < after.count; ++n) {
    user_license& l = after.items[n];
    const sku_def& def = t.skus[l.sku];
    if (def.groups.empty() || l.state_count == 0) continue;
    bool const direct = l.states[0].group < 0;
    if (direct) {
      // Keep (or make) the group's state only.
      assignment_state group_state = l.state_count > 1 ? l.states[1] : state_at(when, 0);
      if (l.state_count == 1) group_state.group = static_cast<std::int16_t>(def.groups[s.below(def.groups.size())]);
      l.states[0] = group_state;
      l.state_count = 1;
    } else {
      l.states[1] = l.states[0];
      l.states[0] = state_at(when, -1);
      l.state_count = 2;
    }
    store_licenses(t, i, before, after);
    return;
  }
  if (after.count >= max_user_licenses) return;
  std::vector<std::size_t> grouped;
  for (std::size_t sku = 0; sku < t.skus.size(); ++sku)
    if (!t.skus[sku].groups.empty() && position_of(after, sku) < 0) grouped.push_back(sku);
  if (grouped.empty()) return;
  std::size_t const sku = grouped[s.below(grouped.size())];
  user_license& l = after.items[after.count++];
  l = user_license{};
  l.sku = static_cast<std::uint8_t>(sku);
  const sku_def& def = t.skus[sku];
  l.states[l.state_count++] = state_at(when, static_cast<std::int16_t>(def.groups[s.below(def.groups.size())]));
  store_licenses(t, i, before, after);
}

// Each door flips with door_flip_per_mille, from (seed, night, door): the same series of nights flips the same
// doors on every run.
void flip_doors(tenant_state& t, night_report& report) {
  struct door_field {
    std::string_view name;
    bool sim_doors::*field;
  };
  constexpr std::array<door_field, 4> doors{{{"signup", &sim_doors::signup_email_subscriptions},
                                             {"email-verified-join", &sim_doors::email_verified_join},
                                             {"trials", &sim_doors::trials},
                                             {"office-store", &sim_doors::office_store}}};
  for (std::uint64_t n = 0; n < doors.size(); ++n) {
    mix::stream s(mix::hash(t.config.seed, tag_door, t.night, n));
    if (!s.chance(door_flip_per_mille)) continue;
    bool& open = t.config.doors.*doors[n].field;
    open = !open;
    report.doors_flipped.emplace_back(doors[n].name);
  }
}

// True when a closed door keeps user i from gaining sku: a trial while trials are closed, a sign-up SKU while
// sign-ups are; losing a license they hold stays possible.
bool door_keeps_out(const tenant_state& t, std::uint64_t i, std::size_t sku) {
  bool const closed = (sku == slot::teams_exploratory && !t.config.doors.trials) ||
                      ((sku == slot::flow_free || sku == slot::pbi_free) && !t.config.doors.signup_email_subscriptions);
  if (!closed) return false;
  license_set held;
  current_licenses(t, make_profile(t, i), held);
  return position_of(held, sku) < 0;
}

}  // namespace

night_report tenant::advance_night(double rate) {
  tenant_state& t = *impl_;
  night_report report;
  report.night = ++t.night;
  mix::stream s(mix::hash(t.config.seed, tag_churn, t.night));
  std::int64_t const when = first_night + static_cast<std::int64_t>(t.night) * day + 3 * 3600;
  auto const changes = static_cast<std::uint64_t>(std::llround(std::clamp(rate, 0.0, 1.0) * user_count()));
  // A night without churn stands still, trials due included (they end on the next night with churn): a quiet
  // night is one on which nothing changes.
  if (changes == 0) return report;
  flip_doors(t, report);
  report.changed += end_trials(*this, t, when);
  for (std::uint64_t c = 0; c < changes; ++c) {
    churn_kind const kind = pick_kind(s, t.config.clean);
    if (kind == churn_kind::add_user) {
      std::uint64_t const i = t.config.users++;
      add_to_directory(t, i);
      t.change_log.emplace_back(++t.version, i);
      ++report.created;
      continue;
    }
    auto const user = pick_user(*this, t, s);
    if (!user) continue;
    switch (kind) {
      case churn_kind::remove_user:
        remove_from_directory(t, *user);
        t.churn_deleted.insert(std::upper_bound(t.churn_deleted.begin(), t.churn_deleted.end(), *user), *user);
        ++report.deleted;
        continue;
      case churn_kind::trial:
        // A user starts the Teams Exploratory trial (it ends a few nights later), or cancels it. A closed door
        // lets nobody start one.
        if (door_keeps_out(t, *user, slot::teams_exploratory)) continue;
        if (toggle_license(t, *user, slot::teams_exploratory, when))
          t.trial_ends.emplace_back(t.night + trial_min_nights + s.below(trial_extra_nights), *user);
        break;
      case churn_kind::signup: {
        std::size_t const sku = s.chance(500) ? slot::flow_free : slot::pbi_free;
        if (door_keeps_out(t, *user, sku)) continue;
        toggle_license(t, *user, sku, when);
        break;
      }
      case churn_kind::license: {
        std::size_t const sku = s.below(t.skus.size());
        if (door_keeps_out(t, *user, sku)) continue;
        toggle_license(t, *user, sku, when);
        break;
      }
      case churn_kind::group:
        change_group(t, *user, s, when);
        break;
      case churn_kind::add_user:
        break;
    }
    ++report.changed;
  }
  return report;
}

std::uint64_t tenant::night() const { return impl_->night; }

const sim_doors& tenant::doors() const { return impl_->config.doors; }

}  // namespace graphsim
