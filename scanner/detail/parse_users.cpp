#include "scanner/detail/parse_users.hpp"

#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>

namespace scanner {
namespace {

constexpr std::string_view what = "users page";

base::error item_error(std::size_t index, std::string_view problem) {
  return base::runtime_error(fmt::format("cannot read {}: user #{} {}", what, index, problem));
}

// assignedLicenses: the authoritative list of the user's SKUs.
base::result<void> read_licenses(const json::value& user, std::size_t index, const std::string& user_id,
                                 storage::user_page& page, std::int64_t& licensed) {
  auto const* list = json::member(user, "assignedLicenses");
  if (list == nullptr || list->IsNull()) return {};
  if (!list->IsArray()) return item_error(index, "has an assignedLicenses that is not an array");
  if (!list->Empty()) ++licensed;
  for (auto const& item : list->GetArray()) {
    auto const sku = json::optional_string(item, "skuId");
    if (!sku || sku->empty()) return item_error(index, "has an assignedLicenses entry without a skuId");
    page.licenses.push_back({user_id, json::lower(*sku), json::string_array(item, "disabledPlans", true)});
  }
  return {};
}

// licenseAssignmentStates: one entry per (SKU, direct|group) assignment.
base::result<void> read_states(const json::value& user, std::size_t index, const std::string& user_id,
                               storage::user_page& page) {
  auto const* list = json::member(user, "licenseAssignmentStates");
  if (list == nullptr || list->IsNull()) return {};
  if (!list->IsArray()) return item_error(index, "has a licenseAssignmentStates that is not an array");
  for (auto const& item : list->GetArray()) {
    auto const sku = json::optional_string(item, "skuId");
    if (!sku || sku->empty()) return item_error(index, "has a licenseAssignmentStates entry without a skuId");
    storage::license_state_record state;
    state.user_id = user_id;
    state.sku_id = json::lower(*sku);
    if (auto group = json::optional_string(item, "assignedByGroup"); group && !group->empty())
      state.assigned_by_group = json::lower(*group);
    state.state = json::string_or_empty(item, "state");
    state.error = json::string_or_empty(item, "error");
    // Real tenants say "None" where the docs say null (docs/graph.md §1.1): both mean no error.
    if (state.error == "None") state.error.clear();
    state.last_updated_date_time = json::string_or_empty(item, "lastUpdatedDateTime");
    state.disabled_plans = json::string_array(item, "disabledPlans", true);
    page.states.push_back(std::move(state));
  }
  return {};
}

// The entries of every user's list named key, counting only lists that are arrays (the rest fail later).
std::size_t total_entries(const json::value& users, std::string_view key) {
  std::size_t n = 0;
  for (auto const& item : users.GetArray()) {
    auto const* list = json::member(item, key);
    if (list != nullptr && list->IsArray()) n += list->Size();
  }
  return n;
}

}  // namespace

base::result<parsed_user_page> parse_user_page(std::string_view body) {
  // A page is up to a few MiB of mostly strings: decoding them in place in one copy of the body saves a copy
  // and an allocation per string. buffer outlives doc, whose strings point into it.
  std::string buffer;
  rapidjson::Document doc;
  if (auto parsed = json::parse_in_place(doc, body, buffer, what); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error(fmt::format("cannot read {}: the body is not a JSON object", what));
  auto const* users = json::member(doc, "value");
  if (users == nullptr || !users->IsArray())
    return base::runtime_error(fmt::format("cannot read {}: it has no \"value\" array", what));

  parsed_user_page out;
  out.next_link = json::string_or_empty(doc, "@odata.nextLink");
  out.count = json::optional_int(doc, "@odata.count");
  auto& page = out.page;
  // Each list sized once, exactly: rows grown by doubling were copied into fresh blocks two or three times, and
  // trimmed to size once more, because a page waits, parsed, for the storage thread (up to three per chain).
  page.users.reserve(users->Size());
  page.licenses.reserve(total_entries(*users, "assignedLicenses"));
  page.states.reserve(total_entries(*users, "licenseAssignmentStates"));
  std::size_t index = 0;
  for (auto const& item : users->GetArray()) {
    ++index;
    if (!item.IsObject()) return item_error(index, "is not a JSON object");
    auto const id = json::optional_string(item, "id");
    if (!id || id->empty()) return item_error(index, "has no id");
    storage::user_record user;
    user.id = json::lower(*id);
    user.user_principal_name = json::string_or_empty(item, "userPrincipalName");
    user.display_name = json::string_or_empty(item, "displayName");
    user.mail = json::string_or_empty(item, "mail");
    user.user_type = json::string_or_empty(item, "userType");
    user.account_enabled = json::optional_bool(item, "accountEnabled");
    user.usage_location = json::string_or_empty(item, "usageLocation");
    user.on_premises_sync_enabled = json::optional_bool(item, "onPremisesSyncEnabled");
    user.department = json::string_or_empty(item, "department");
    user.created_date_time = json::string_or_empty(item, "createdDateTime");
    user.creation_type = json::string_or_empty(item, "creationType");
    if (auto r = read_licenses(item, index, user.id, page, out.licensed_users); !r) return r.error();
    if (auto r = read_states(item, index, user.id, page); !r) return r.error();
    page.users.push_back(std::move(user));
  }
  return out;
}

}  // namespace scanner
