// The tenant's construction (one pass over the users for the counts a listing needs without a scan), its
// identity, user lookups and the change log.
#include "graphsim/detail/tenant.hpp"

#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/sku_catalogue.hpp"
#include "graphsim/detail/tenant_model.hpp"

#include <algorithm>
#include <charconv>

namespace graphsim {

using namespace detail;

namespace {
unsigned char lower_byte(char c) { return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); }
}  // namespace

tenant::tenant(tenant_config config) : impl_(std::make_unique<impl>()) {
  tenant_state& t = *impl_;
  t.config = config;
  build_directory(t);
  for (std::uint64_t i = 0; i < config.users; ++i) add_to_directory(t, i);
  size_subscriptions(t);
  t.scheduled_deletions = schedule_deletions(config, config.deleted_during_scan);
}

tenant::~tenant() = default;

const std::string& tenant::tenant_id() const { return impl_->tenant_id; }
const std::string& tenant::tenant_name() const { return impl_->tenant_name; }
const std::string& tenant::default_domain() const { return impl_->domain; }
const std::string& tenant::client_id() const { return impl_->client_id; }
const std::string& tenant::client_secret() const { return impl_->client_secret; }

std::uint64_t tenant::user_count() const {
  return impl_->config.users - (impl_->deletions_done ? impl_->scheduled_deletions.size() : 0) -
         impl_->churn_deleted.size();
}

std::uint64_t tenant::index_end() const { return impl_->config.users; }

bool tenant::exists(std::uint64_t i) const {
  const tenant_state& t = *impl_;
  if (i >= t.config.users) return false;
  if (std::binary_search(t.churn_deleted.begin(), t.churn_deleted.end(), i)) return false;
  return !t.deletions_done || !std::binary_search(t.scheduled_deletions.begin(), t.scheduled_deletions.end(), i);
}

bool tenant::deletions_pending() const { return !impl_->deletions_done && !impl_->scheduled_deletions.empty(); }

void tenant::delete_scheduled_users() {
  tenant_state& t = *impl_;
  if (t.deletions_done) return;
  t.deletions_done = true;
  for (std::uint64_t i : t.scheduled_deletions) remove_from_directory(t, i);
}

std::optional<std::uint64_t> tenant::find_user(std::string_view key) const {
  const tenant_state& t = *impl_;
  if (auto by_id = index_of_user_id(t, key)) return exists(*by_id) ? by_id : std::nullopt;
  // A UPN carries its index in the digits ending the local part (before the guest's "_domain#EXT#").
  const std::string lower = ascii_lower(key);
  const auto at = lower.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  std::string_view local = std::string_view(lower).substr(0, at);
  if (local.ends_with("#ext#")) {
    local.remove_suffix(5);
    const auto underscore = local.rfind('_');
    if (underscore == std::string_view::npos) return std::nullopt;
    local = local.substr(0, underscore);
  }
  for (std::uint64_t index : indices_in_local_part(local, t.config.users))
    if (exists(index) && ascii_lower(user_principal_name(index)) == lower) return index;
  return std::nullopt;
}

std::string tenant::user_principal_name(std::uint64_t i) const {
  std::string upn;
  append_upn(*impl_, make_profile(*impl_, i), upn);
  return upn;
}

bool tenant::has_licenses(std::uint64_t i) const {
  license_set licenses;
  current_licenses(*impl_, make_profile(*impl_, i), licenses);
  return licenses.count > 0;
}

namespace {

// The range of t's sorted names of prefix's first byte that start with prefix (lower-cased); t.upn_sorted_lock held.
std::span<const std::pair<std::string, std::uint32_t>> upn_range(const tenant_state& t, std::string_view prefix) {
  unsigned char const initial = lower_byte(prefix[0]);
  auto& sorted = t.upn_sorted[initial];
  if (sorted.empty() && !t.users_by_upn_initial[initial].empty()) {
    sorted.reserve(t.users_by_upn_initial[initial].size());
    std::string upn;
    for (std::uint32_t i : t.users_by_upn_initial[initial]) {
      upn.clear();
      append_upn(t, make_profile(t, i), upn);
      sorted.emplace_back(ascii_lower(upn), i);
    }
    std::sort(sorted.begin(), sorted.end());
  }
  std::string const lower = ascii_lower(prefix);
  auto const first = std::lower_bound(sorted.begin(), sorted.end(), lower,
                                      [](const auto& e, const std::string& p) { return e.first < p; });
  auto last = first;
  while (last != sorted.end() && last->first.starts_with(lower)) ++last;
  return {first, last};
}

}  // namespace

std::vector<std::uint32_t> tenant::users_with_upn_prefix(std::string_view prefix) const {
  const tenant_state& t = *impl_;
  std::vector<std::uint32_t> users;
  if (prefix.empty()) return users;
  std::lock_guard lock(t.upn_sorted_lock);
  for (auto const& e : upn_range(t, prefix)) users.push_back(e.second);
  std::sort(users.begin(), users.end());
  return users;
}

std::uint64_t tenant::count_upn_prefix(std::string_view prefix) const {
  const tenant_state& t = *impl_;
  if (prefix.empty()) return user_count();
  if (prefix.size() == 1) return t.upn_first_char[lower_byte(prefix[0])];
  std::lock_guard lock(t.upn_sorted_lock);
  return upn_range(t, prefix).size();
}

std::optional<std::string> tenant::property_text(std::uint64_t i, std::string_view property) const {
  const tenant_state& t = *impl_;
  const user_profile p = make_profile(t, i);
  const std::string name = ascii_lower(property);
  std::string out;
  if (name == "userprincipalname") append_upn(t, p, out);
  else if (name == "displayname") append_display_name(p, out);
  else if (name == "givenname") out = p.given->text;
  else if (name == "surname") out = p.surname->text;
  else if (name == "usertype") out = p.guest ? "Guest" : "Member";
  else if (name == "id") out = user_id(t, i);
  else if (name == "accountenabled") out = p.enabled ? "true" : "false";
  else if (name == "mail" && p.has_mail) append_mail(t, p, out);
  else if (name == "createddatetime" && p.created != 0) out = format_time(p.created);
  else return std::nullopt;
  return out;
}

std::string tenant::object_id(std::uint64_t i) const { return user_id(*impl_, i); }

std::vector<std::string> tenant::sku_ids(std::uint64_t i) const {
  license_set licenses;
  current_licenses(*impl_, make_profile(*impl_, i), licenses);
  std::vector<std::string> ids;
  for (const user_license& l : licenses.view()) ids.push_back(impl_->skus[l.sku].sku_id);
  return ids;
}

std::span<const std::uint32_t> tenant::users_with_upn_initial(char c) const {
  return impl_->users_by_upn_initial[lower_byte(c)];
}

std::uint64_t tenant::count_licensed() const { return impl_->licensed; }

std::uint64_t tenant::version() const { return impl_->version; }

std::vector<std::uint64_t> tenant::changed_since(std::uint64_t v) const {
  std::vector<std::uint64_t> users;
  for (const auto& [version, user] : impl_->change_log)
    if (version > v) users.push_back(user);
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  return users;
}

std::vector<std::string> tenant::removed_user_ids() const {
  // Deleted users' ids are random GUIDs: their check half does not match, so find_user() never finds them.
  std::vector<std::string> ids;
  for (std::uint64_t n = 0; n < 3; ++n)
    ids.push_back(mix::to_string(
        mix::v4_guid(mix::hash(impl_->config.seed, 0x44454c, n, 1), mix::hash(impl_->config.seed, 0x44454c, n, 2))));
  if (impl_->deletions_done)
    for (std::uint64_t i : impl_->scheduled_deletions) ids.push_back(user_id(*impl_, i));
  for (std::uint64_t i : impl_->churn_deleted) ids.push_back(user_id(*impl_, i));
  return ids;
}

namespace detail {

void add_to_directory(tenant_state& t, std::uint64_t i) {
  const user_profile p = make_profile(t, i);
  std::string local;
  append_local_part(p, local);  // a guest's name starts with its mail's local part too
  unsigned char const initial = lower_byte(local[0]);
  ++t.upn_first_char[initial];
  t.users_by_upn_initial[initial].push_back(static_cast<std::uint32_t>(i));  // i is the highest index so far
  {
    std::lock_guard lock(t.upn_sorted_lock);
    t.upn_sorted[initial].clear();  // made again from the index on the next longer prefix
  }
  license_set licenses;
  current_licenses(t, p, licenses);
  if (licenses.count > 0) ++t.licensed;
  for (const user_license& l : licenses.view()) ++t.skus[l.sku].consumed_units;
}

void remove_from_directory(tenant_state& t, std::uint64_t i) {
  const user_profile p = make_profile(t, i);
  std::string local;
  append_local_part(p, local);
  unsigned char const initial = lower_byte(local[0]);
  --t.upn_first_char[initial];
  auto& index = t.users_by_upn_initial[initial];
  index.erase(std::lower_bound(index.begin(), index.end(), static_cast<std::uint32_t>(i)));
  {
    std::lock_guard lock(t.upn_sorted_lock);
    t.upn_sorted[initial].clear();  // made again from the index on the next longer prefix
  }
  license_set licenses;
  current_licenses(t, p, licenses);
  if (licenses.count > 0) --t.licensed;
  for (const user_license& l : licenses.view()) --t.skus[l.sku].consumed_units;
  t.change_log.emplace_back(++t.version, i);
}

}  // namespace detail

}  // namespace graphsim
