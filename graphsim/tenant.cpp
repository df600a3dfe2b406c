// The tenant's construction (one pass over the users for the counts a listing needs without a scan), its
// identity, user lookups and the change log.
#include "graphsim/tenant.hpp"

#include "graphsim/mix.hpp"
#include "graphsim/sku_catalogue.hpp"
#include "graphsim/tenant_model.hpp"

#include <algorithm>
#include <charconv>

namespace graphsim {

using namespace detail;

namespace {
unsigned char lower_byte(char c) {
  return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}
}  // namespace

tenant::tenant(tenant_config config) : impl_(std::make_unique<impl>()) {
  tenant_state& t = *impl_;
  t.config = config;
  build_directory(t);
  license_set licenses;
  for (std::uint64_t i = 0; i < config.users; ++i) {
    const user_profile p = make_profile(t, i);
    unsigned char const initial = lower_byte(p.given->ascii[0]);  // a UPN starts with the ASCII given name
    ++t.upn_first_char[initial];
    t.users_by_upn_initial[initial].push_back(static_cast<std::uint32_t>(i));
    make_licenses(t, p, licenses);
    if (licenses.count > 0) ++t.licensed;
    for (const user_license& l : licenses.view()) ++t.skus[l.sku].consumed_units;
  }
  size_subscriptions(t);
}

tenant::~tenant() = default;

const std::string& tenant::tenant_id() const { return impl_->tenant_id; }
const std::string& tenant::tenant_name() const { return impl_->tenant_name; }
const std::string& tenant::default_domain() const { return impl_->domain; }
const std::string& tenant::client_id() const { return impl_->client_id; }
const std::string& tenant::client_secret() const { return impl_->client_secret; }

std::uint64_t tenant::user_count() const { return impl_->config.users; }

std::optional<std::uint64_t> tenant::find_user(std::string_view key) const {
  const tenant_state& t = *impl_;
  if (auto by_id = index_of_user_id(t, key)) return by_id;
  // A UPN carries its index as the digits ending the local part (before the guest's "_domain#EXT#").
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
  std::size_t digits = 0;
  while (digits < local.size() && digits < 19 && local[local.size() - 1 - digits] >= '0' &&
         local[local.size() - 1 - digits] <= '9')
    ++digits;
  if (digits == 0) return std::nullopt;
  std::uint64_t index = 0;
  const char* first = local.data() + local.size() - digits;
  if (std::from_chars(first, local.data() + local.size(), index).ec != std::errc() || index >= t.config.users)
    return std::nullopt;
  if (ascii_lower(user_principal_name(index)) != lower) return std::nullopt;
  return index;
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

std::uint64_t tenant::count_upn_prefix(std::string_view prefix) const {
  const tenant_state& t = *impl_;
  if (prefix.empty()) return t.config.users;
  if (prefix.size() == 1) return t.upn_first_char[lower_byte(prefix[0])];
  const std::string lower = ascii_lower(prefix);
  std::uint64_t count = 0;
  std::string upn;
  for (std::uint64_t i = 0; i < t.config.users; ++i) {
    const user_profile p = make_profile(t, i);
    if (lower_byte(p.given->ascii[0]) != static_cast<unsigned char>(lower[0])) continue;
    upn.clear();
    append_upn(t, p, upn);
    if (upn.starts_with(lower)) ++count;
  }
  return count;
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
    ids.push_back(mix::to_string(mix::v4_guid(mix::hash(impl_->config.seed, 0x44454c, n, 1),
                                              mix::hash(impl_->config.seed, 0x44454c, n, 2))));
  return ids;
}

}  // namespace graphsim
