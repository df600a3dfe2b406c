// Users as a pure function of (seed, index): attributes, licenses, user principal names and object ids.
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/tenant_model.hpp"
#include "graphsim/detail/tenant_slots.hpp"

#include <algorithm>
#include <charconv>
#include <unordered_set>

namespace graphsim::detail {
namespace {

constexpr std::uint64_t tag_user = 0x55534552, tag_licenses = 0x4c494353, tag_id = 0x55494400, tag_id_key = 0x4b4559,
                        tag_skew = 0x534b4557, tag_deletions = 0x44454c53;
// Employee numbers of skewed tenants: seven digits, u1000000 to u9999999, spread over the range as decades of
// hires spread them (so that 'u12' is a shard of its own), and a bijection of the index: number =
// base + (step × index + offset) mod span, step coprime to span (2^6 3^2 5^6).
constexpr std::uint64_t employee_base = 1'000'000, employee_span = 9'000'000, employee_step = 7'777'777,
                        employee_offset = 4'242'424;

// step⁻¹ mod span, by the extended Euclidean algorithm.
constexpr std::uint64_t inverse_step() {
  std::int64_t r0 = employee_span, r1 = employee_step, t0 = 0, t1 = 1;
  while (r1 != 0) {
    const std::int64_t q = r0 / r1;
    std::int64_t r = r0 - q * r1;
    r0 = r1, r1 = r;
    std::int64_t t = t0 - q * t1;
    t0 = t1, t1 = t;
  }
  return static_cast<std::uint64_t>(t0 < 0 ? t0 + static_cast<std::int64_t>(employee_span) : t0);
}
static_assert(inverse_step() * employee_step % employee_span == 1);
// The leading symbols of skewed principal names: every non-alphanumeric character Entra allows in one
// (docs/graph.md §1.3: A–Z a–z 0–9 ' . - _ ! # ^ ~).
constexpr std::string_view upn_symbols = ".~'-_!^#";
constexpr std::int64_t day = 86400;
constexpr std::int64_t t_2016 = 1451606400;     // 2016-01-01
constexpr std::int64_t t_2018_06 = 1527811200;  // 2018-06-01: createdDateTime is null for some synced users before
constexpr std::int64_t t_2025_10 = 1759276800;  // 2025-10-01

template <class T>
const T& pick(std::span<const T> items, mix::stream& s) {
  return items[s.below(items.size())];
}

void set_state(assignment_state& st, mix::stream& s, bool group, std::int64_t updated) {
  st.updated = updated;
  st.state = state_kind::active;
  st.error = s.chance(100) ? error_kind::null : error_kind::none_text;
  if (!s.chance(30)) return;
  switch (s.below(group ? 5 : 4)) {
    case 0:
      st.state = state_kind::active_with_error;
      st.error = error_kind::count_violation;
      break;
    case 1:
      st.state = state_kind::error;
      st.error = error_kind::mutually_exclusive_violation;
      break;
    case 2:
      st.state = state_kind::error;
      st.error = error_kind::dependency_violation;
      break;
    case 3:
      st.state = state_kind::error;
      st.error = error_kind::prohibited_in_usage_location_violation;
      break;
    default:
      st.state = state_kind::error;
      st.error = error_kind::other;
      break;
  }
}

enum class how { direct, group, both, missing };

// Adds a license of sku assigned as h (group: the SKU's group number g), with n disabled plans.
void add_license(const tenant_state& t, license_set& out, mix::stream& s, std::size_t sku, how h, std::size_t g,
                 unsigned disabled, std::int64_t since) {
  const sku_def& def = t.skus[sku];
  user_license& l = out.items[out.count++];
  l = user_license{};
  l.sku = static_cast<std::uint8_t>(sku);
  const std::size_t plans = def.plans.size();
  for (unsigned n = 0; n < disabled && plans > 0 && l.disabled_count < 3; ++n) {
    auto plan = static_cast<std::uint16_t>(s.below(plans));
    if (std::find(l.disabled.begin(), l.disabled.begin() + l.disabled_count, plan) ==
        l.disabled.begin() + l.disabled_count)
      l.disabled[l.disabled_count++] = plan;
  }
  std::sort(l.disabled.begin(), l.disabled.begin() + l.disabled_count);
  const auto span_days = static_cast<std::uint64_t>(std::max<std::int64_t>(1, (t_2025_10 - since) / day));
  const std::int64_t updated =
      since + static_cast<std::int64_t>(s.below(span_days)) * day + static_cast<std::int64_t>(s.below(day));
  if (h == how::missing) return;
  if (h == how::direct || h == how::both) set_state(l.states[l.state_count++], s, false, updated);
  if (h == how::group || h == how::both) {
    assignment_state& st = l.states[l.state_count++];
    set_state(st, s, true, updated);
    st.group = def.groups.empty() ? 0 : static_cast<std::int16_t>(def.groups[g % def.groups.size()]);
  }
}

// The hand-placed users of a tenant with findings: every origin, assignment kind and error at indices < 12.
void special_licenses(const tenant_state& t, const user_profile& p, license_set& out, mix::stream& s) {
  const std::int64_t since = std::max<std::int64_t>(p.created, 1546300800);  // 2019-01-01
  auto add = [&](std::size_t sku, how h, unsigned disabled = 0, std::size_t g = 0) {
    add_license(t, out, s, sku, h, g, disabled, since);
  };
  auto last_state = [&](std::size_t n) -> assignment_state& { return out.items[out.count - 1].states[n]; };
  switch (p.index) {
    case 0:
      add(slot::e3, how::direct, 1);
      add(slot::pbi_pro, how::direct);
      break;  // self_service_purchase
    case 1:
      add(slot::e3, how::direct);
      add(slot::teams_exploratory, how::direct);
      break;  // self_service_trial
    case 2:   // partner_managed
      add(slot::e5, how::direct, 2);
      add(slot::visio, how::direct);
      last_state(0).state = state_kind::active_with_error;
      last_state(0).error = error_kind::count_violation;
      break;
    case 3:
      add(slot::e3, how::direct);
      add(slot::ems, how::group);
      break;  // group_inherited
    case 4:
      add(slot::e3, how::direct);
      add(slot::project, how::direct);
      break;  // mixed_ownership
    case 5:
      add(slot::flow_free, how::direct);
      add(slot::pbi_free, how::direct);
      break;  // self_service_signup
    case 6:   // unattributed
      add(slot::e1_gone, how::direct);
      add(slot::unknown_addon, how::direct);
      add(slot::legacy_kiosk, how::direct, 1);
      break;
    case 7:
      break;  // a guest without licenses
    case 8:   // disabled: direct+group twice (organization), and a purchase Graph lists no state for (#9636)
      add(slot::e5, how::both);
      add(slot::ems, how::both, 0, 1);
      add(slot::pbi_pro, how::missing);
      break;
    case 9:  // six licenses, errors, a null success error, a missing state
      add(slot::e3, how::direct);
      last_state(0).error = error_kind::null;
      add(slot::ems, how::group, 0, 1);
      last_state(0).state = state_kind::error;
      last_state(0).error = error_kind::mutually_exclusive_violation;
      add(slot::visio, how::direct, 1);
      add(slot::project, how::group);
      last_state(0).state = state_kind::active_with_error;
      last_state(0).error = error_kind::other;
      add(slot::teams_exploratory, how::direct);
      add(slot::flow_free, how::missing);
      break;
    case 10:
      add(slot::e3, how::direct);
      add(slot::teams_exploratory, how::direct);
      break;  // a licensed guest
    default:
      break;  // 11: unlicensed
  }
}

void general_licenses(const tenant_state& t, const user_profile& p, license_set& out, mix::stream& s) {
  const bool clean = t.config.clean;
  if (!s.chance(p.guest ? 200 : 850)) return;
  const std::int64_t since = std::max<std::int64_t>(p.created, 1546300800);
  auto add = [&](std::size_t sku) {
    const sku_def& def = t.skus[sku];
    how h = how::direct;
    if (!clean) {
      std::uint64_t r = s.below(1000);
      if (r < def.group_only_per_mille) h = how::group;
      else if (r < def.group_only_per_mille + def.direct_and_group_per_mille) h = how::both;
      else if (s.chance(10)) h = how::missing;
    }
    unsigned disabled = s.chance(200) ? 1 + static_cast<unsigned>(s.below(3)) : 0;
    add_license(t, out, s, sku, h, s.below(4), disabled, since);
  };
  std::uint64_t base = s.below(1000);
  if (base < 550) add(slot::e3);
  else if (base < 800) add(slot::e5);
  for (std::size_t sku = 2; sku < t.skus.size() && out.count < 6; ++sku)
    if (s.chance(t.skus[sku].per_mille)) add(sku);
  if (out.count == 0) add(slot::e3);
}

}  // namespace

user_profile make_profile(const tenant_state& t, std::uint64_t i) {
  user_profile p;
  p.index = i;
  mix::stream s(mix::hash(t.config.seed, tag_user, i));
  p.culture = &pick(people::cultures(), s);
  p.given = &pick(p.culture->given, s);
  p.surname = &pick(p.culture->surnames, s);
  p.guest = s.chance(70);
  p.enabled = !s.chance(50);
  p.email_verified = !p.guest && s.chance(20);
  p.synced = !p.guest && !p.email_verified && s.chance(300);
  if (s.chance(30)) p.hostile_display = pick(people::hostile_display_names(), s);
  auto departments = people::departments();
  if (!s.chance(100)) p.department = s.chance(150) ? pick(departments, s) : departments[s.below(10)];
  if (!s.chance(200)) p.job_title = pick(people::job_titles(), s);
  if (!s.chance(300)) p.office = pick(people::office_locations(), s);
  p.guest_domain = pick(people::guest_domains(), s);
  p.has_mail = p.guest || !s.chance(50);
  p.has_usage_location = !p.guest || s.chance(500);
  p.has_phone = s.chance(400);
  p.signed_in = !s.chance(80);
  p.created = t_2016 + static_cast<std::int64_t>(s.below(static_cast<std::uint64_t>(t_2025_10 - t_2016)));
  if (p.synced && p.created < t_2018_06 && s.chance(500)) p.created = 0;
  if (t.config.skewed_upns) {
    // A stream of its own, so that a skewed tenant differs from the plain one only in its names. Per mille:
    // members 400 employee numbers, 60 leading symbols, 40 digits only, 100 capitalised; guests' home mails
    // (their names start with the mail's first character) 80, 40 and 100 of the last three.
    mix::stream k(mix::hash(t.config.seed, tag_skew, i));
    std::uint64_t r = k.below(1000);
    if (p.guest) r += 400;
    if (r < 400) p.style = upn_style::employee_number;
    else if (r < (p.guest ? 480u : 460u)) p.style = upn_style::leading_symbol;
    else if (r < (p.guest ? 520u : 500u)) p.style = upn_style::digits_only;
    else if (r < (p.guest ? 620u : 600u)) p.style = upn_style::capitalised;
    p.upn_symbol = upn_symbols[k.below(upn_symbols.size())];
  }

  if (i < special_users) {
    // Hand-placed attributes; hostile text lands in small tenants too.
    p.guest = i == 7 || i == 10;
    p.enabled = i != 8;
    p.email_verified = i == 5;
    p.synced = i == 3 || i == 9;
    p.has_usage_location = true;
    auto hostile = people::hostile_display_names();
    switch (i) {
      case 0:
        p.department = departments[16];
        break;  // "=1+1"
      case 1:
        p.department = departments[21];
        break;  // "\tFacilities"
      case 2:
        p.hostile_display = hostile[0];
        break;  // =HYPERLINK(...)
      case 3:
        p.hostile_display = hostile[6];
        p.department = departments[20];
        break;  // line breaks
      case 4:
        p.department = departments[14];
        break;  // "Research, Development & Innovation"
      case 6:
        p.hostile_display = hostile[8];
        break;  // right-to-left override
      case 7:
        p.hostile_display = hostile[9];
        p.department = departments[25];
        break;  // <script>
      case 9:
        p.hostile_display = hostile[14];
        p.department = departments[22];
        break;  // emoji, Arabic
      case 10:
        p.hostile_display = hostile[5];
        break;  // quotes
      default:
        break;
    }
  }
  return p;
}

void make_licenses(const tenant_state& t, const user_profile& p, license_set& out) {
  out.count = 0;
  mix::stream s(mix::hash(t.config.seed, tag_licenses, p.index));
  if (!t.config.clean && p.index < special_users) special_licenses(t, p, out, s);
  else general_licenses(t, p, out, s);
}

void current_licenses(const tenant_state& t, const user_profile& p, license_set& out) {
  if (!t.changed_licenses.empty()) {
    if (auto it = t.changed_licenses.find(p.index); it != t.changed_licenses.end()) {
      out = it->second;
      return;
    }
  }
  make_licenses(t, p, out);
}

void append_local_part(const user_profile& p, std::string& out) {
  char digits[24];
  auto number = [&](std::uint64_t n) {
    auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
  };
  switch (p.style) {
    case upn_style::employee_number:
      out += 'u';
      number(employee_base + (employee_step * p.index + employee_offset) % employee_span);
      return;
    case upn_style::digits_only:
      number(p.index);
      return;
    case upn_style::leading_symbol:
      out += p.upn_symbol;
      break;
    default:
      break;
  }
  std::size_t const start = out.size();
  out += p.given->ascii;
  if (p.style == upn_style::capitalised && out[start] >= 'a' && out[start] <= 'z')
    out[start] = static_cast<char>(out[start] - 'a' + 'A');
  out += '.';
  out += p.surname->ascii;
  number(p.index);
}

std::vector<std::uint64_t> indices_in_local_part(std::string_view local, std::uint64_t limit) {
  std::size_t digits = 0;
  while (digits < local.size() && digits < 19 && local[local.size() - 1 - digits] >= '0' &&
         local[local.size() - 1 - digits] <= '9')
    ++digits;
  std::vector<std::uint64_t> out;
  std::uint64_t n = 0;
  const char* first = local.data() + local.size() - digits;
  if (digits == 0 || std::from_chars(first, local.data() + local.size(), n).ec != std::errc()) return out;
  if (n < limit) out.push_back(n);
  if (n >= employee_base && n < employee_base + employee_span) {
    // The employee number's index: step⁻¹ × (number - base - offset) mod span (products fit in 64 bits).
    const std::uint64_t shifted = (n - employee_base + employee_span - employee_offset) % employee_span;
    const std::uint64_t index = inverse_step() * shifted % employee_span;
    if (index < limit) out.push_back(index);
  }
  return out;
}

std::vector<std::uint64_t> schedule_deletions(const tenant_config& config, std::uint64_t n) {
  const std::uint64_t low = std::max<std::uint64_t>(special_users, config.users / 2);
  const std::uint64_t range = config.users > low ? config.users - low : 0;
  n = std::min(n, range);
  // Floyd's sampling: n distinct values of [0, range) in n draws.
  mix::stream s(mix::hash(config.seed, tag_deletions));
  std::unordered_set<std::uint64_t> picked;
  for (std::uint64_t j = range - n; j < range; ++j) {
    const std::uint64_t v = s.below(j + 1);
    picked.insert(picked.count(low + v) ? low + j : low + v);
  }
  std::vector<std::uint64_t> sorted(picked.begin(), picked.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

void append_upn(const tenant_state& t, const user_profile& p, std::string& out) {
  append_local_part(p, out);
  if (p.guest) {
    // A guest's UPN is its home address with '@' turned into '_', then #EXT# and the tenant's domain.
    out += '_';
    out += p.guest_domain;
    out += "#EXT#";
  }
  out += '@';
  out += t.domain;
}

void append_mail(const tenant_state& t, const user_profile& p, std::string& out) {
  append_local_part(p, out);
  out += '@';
  out += p.guest ? p.guest_domain : std::string_view(t.domain);
}

void append_display_name(const user_profile& p, std::string& out) {
  if (!p.hostile_display.empty()) {
    out += p.hostile_display;
    return;
  }
  const people::name_part* first = p.culture->family_first ? p.surname : p.given;
  const people::name_part* second = p.culture->family_first ? p.given : p.surname;
  out += first->text;
  out += p.culture->separator;
  out += second->text;
}

// An id's second half carries a keyed permutation of the index, so find_user() decodes it without a table;
// the first half is a hash of the index and checks it.
static mix::guid user_guid(const tenant_state& t, std::uint64_t i) {
  const std::uint64_t key = mix::hash(t.config.seed, tag_id_key);
  return mix::v4_guid(mix::hash(t.config.seed, tag_id, i), mix::permute62(key, i));
}

void format_user_id(const tenant_state& t, std::uint64_t i, char* out) { mix::format_guid(user_guid(t, i), out); }

std::string user_id(const tenant_state& t, std::uint64_t i) { return mix::to_string(user_guid(t, i)); }

std::optional<std::uint64_t> index_of_user_id(const tenant_state& t, std::string_view key) {
  auto g = mix::parse_guid(key);
  if (!g) return std::nullopt;
  const std::uint64_t i = mix::unpermute62(mix::hash(t.config.seed, tag_id_key), g->lo & 0x3fffffffffffffffull);
  if (i >= t.config.users || !(user_guid(t, i) == *g)) return std::nullopt;
  return i;
}

void format_time(std::int64_t seconds, char* out) {
  // Howard Hinnant's civil_from_days.
  std::int64_t days = seconds / day, rem = seconds % day;
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  auto put = [&](int pos, std::int64_t v, int width) {
    for (int n = width - 1; n >= 0; --n, v /= 10) out[pos + n] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, m, 2);
  out[7] = '-';
  put(8, d, 2);
  out[10] = 'T';
  put(11, rem / 3600, 2);
  out[13] = ':';
  put(14, rem / 60 % 60, 2);
  out[16] = ':';
  put(17, rem % 60, 2);
  out[19] = 'Z';
}

std::string format_time(std::int64_t seconds) {
  std::string s(20, '0');
  format_time(seconds, s.data());
  return s;
}

std::string_view to_text(state_kind s) {
  switch (s) {
    case state_kind::active:
      return "Active";
    case state_kind::active_with_error:
      return "ActiveWithError";
    case state_kind::disabled:
      return "Disabled";
    case state_kind::error:
      return "Error";
  }
  return "Active";
}

std::string_view to_text(error_kind e) {
  switch (e) {
    case error_kind::none_text:
      return "None";
    case error_kind::null:
      return {};
    case error_kind::count_violation:
      return "CountViolation";
    case error_kind::mutually_exclusive_violation:
      return "MutuallyExclusiveViolation";
    case error_kind::dependency_violation:
      return "DependencyViolation";
    case error_kind::prohibited_in_usage_location_violation:
      return "ProhibitedInUsageLocationViolation";
    case error_kind::other:
      return "Other";
  }
  return {};
}

}  // namespace graphsim::detail
