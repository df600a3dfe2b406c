// Users and their licenseDetails as Graph writes them (docs/graph.md §1.1, §2).
#include "graphsim/detail/json_out.hpp"
#include "graphsim/detail/mix.hpp"
#include "graphsim/detail/sku_catalogue.hpp"
#include "graphsim/detail/tenant_model.hpp"

#include <charconv>

namespace graphsim::detail {

enum class prop : std::uint8_t {
  id,
  user_principal_name,
  display_name,
  mail,
  user_type,
  account_enabled,
  usage_location,
  on_premises_sync_enabled,
  department,
  created_date_time,
  creation_type,
  assigned_licenses,
  license_assignment_states,
  business_phones,
  given_name,
  job_title,
  mobile_phone,
  office_location,
  preferred_language,
  surname,
  sign_in_activity,
  external_user_state,
  mail_nickname,
  proxy_addresses,
  identities,
  on_premises_immutable_id,
  null_value,        // a real user property this tenant does not model: null
  empty_collection,  // a real collection property this tenant does not model: []
  single_user_only,  // returned by GET /users/{id} only (null here); the server answers 501 in a collection
};

struct prop_info {
  std::string_view name;
  prop code;
};

// Property names as Graph spells them in responses; $select matches them case-insensitively.
constexpr prop_info all_props[] = {
    {"id", prop::id},
    {"userPrincipalName", prop::user_principal_name},
    {"displayName", prop::display_name},
    {"mail", prop::mail},
    {"userType", prop::user_type},
    {"accountEnabled", prop::account_enabled},
    {"usageLocation", prop::usage_location},
    {"onPremisesSyncEnabled", prop::on_premises_sync_enabled},
    {"department", prop::department},
    {"createdDateTime", prop::created_date_time},
    {"creationType", prop::creation_type},
    {"assignedLicenses", prop::assigned_licenses},
    {"licenseAssignmentStates", prop::license_assignment_states},
    {"businessPhones", prop::business_phones},
    {"givenName", prop::given_name},
    {"jobTitle", prop::job_title},
    {"mobilePhone", prop::mobile_phone},
    {"officeLocation", prop::office_location},
    {"preferredLanguage", prop::preferred_language},
    {"surname", prop::surname},
    {"signInActivity", prop::sign_in_activity},
    {"externalUserState", prop::external_user_state},
    {"mailNickname", prop::mail_nickname},
    {"proxyAddresses", prop::proxy_addresses},
    {"identities", prop::identities},
    {"onPremisesImmutableId", prop::on_premises_immutable_id},
    {"ageGroup", prop::null_value},
    {"city", prop::null_value},
    {"companyName", prop::null_value},
    {"consentProvidedForMinor", prop::null_value},
    {"country", prop::null_value},
    {"deletedDateTime", prop::null_value},
    {"employeeHireDate", prop::null_value},
    {"employeeId", prop::null_value},
    {"employeeType", prop::null_value},
    {"externalUserStateChangeDateTime", prop::null_value},
    {"faxNumber", prop::null_value},
    {"isResourceAccount", prop::null_value},
    {"lastPasswordChangeDateTime", prop::null_value},
    {"legalAgeGroupClassification", prop::null_value},
    {"onPremisesDistinguishedName", prop::null_value},
    {"onPremisesDomainName", prop::null_value},
    {"onPremisesLastSyncDateTime", prop::null_value},
    {"onPremisesSamAccountName", prop::null_value},
    {"onPremisesSecurityIdentifier", prop::null_value},
    {"onPremisesUserPrincipalName", prop::null_value},
    {"passwordPolicies", prop::null_value},
    {"postalCode", prop::null_value},
    {"securityIdentifier", prop::null_value},
    {"showInAddressList", prop::null_value},
    {"state", prop::null_value},
    {"streetAddress", prop::null_value},
    {"assignedPlans", prop::empty_collection},
    {"imAddresses", prop::empty_collection},
    {"otherMails", prop::empty_collection},
    {"provisionedPlans", prop::empty_collection},
    {"onPremisesProvisioningErrors", prop::empty_collection},
    {"aboutMe", prop::single_user_only},
    {"birthday", prop::single_user_only},
    {"hireDate", prop::single_user_only},
    {"interests", prop::single_user_only},
    {"mySite", prop::single_user_only},
    {"pastProjects", prop::single_user_only},
    {"preferredName", prop::single_user_only},
    {"responsibilities", prop::single_user_only},
    {"schools", prop::single_user_only},
    {"skills", prop::single_user_only},
    {"mailboxSettings", prop::single_user_only},
};

constexpr std::string_view default_props[] = {
    "businessPhones", "displayName",       "givenName", "jobTitle",          "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname",   "userPrincipalName", "id"};

const prop_info* find_prop(std::string_view name) {
  const std::string lower = ascii_lower(name);
  for (const prop_info& info : all_props)
    if (ascii_lower(info.name) == lower) return &info;
  return nullptr;
}

// The last $select seen, resolved: a listing asks the same $select for every user of every page.
struct prop_cache {
  std::vector<std::string> select;
  std::vector<const prop_info*> props;
};

std::unique_ptr<prop_cache> make_prop_cache() { return std::make_unique<prop_cache>(); }
// Defined here, where prop_cache is complete.
tenant_state::tenant_state() : select_cache(make_prop_cache()) {}
tenant_state::~tenant_state() = default;

namespace {

const std::vector<const prop_info*>& resolve(const tenant_state& t, std::span<const std::string> select) {
  prop_cache& cache = *t.select_cache;
  if (!cache.props.empty() && std::equal(select.begin(), select.end(), cache.select.begin(), cache.select.end()))
    return cache.props;
  cache.select.assign(select.begin(), select.end());
  cache.props.clear();
  if (select.empty()) {
    for (std::string_view name : default_props) cache.props.push_back(find_prop(name));
    return cache.props;
  }
  for (const std::string& name : select) {
    const prop_info* info = find_prop(name);
    if (!info) continue;  // the server refuses unknown names before asking for a user
    if (std::find(cache.props.begin(), cache.props.end(), info) == cache.props.end()) cache.props.push_back(info);
  }
  return cache.props;
}

using json_out::key;
using json_out::string;
void string_or_null(json_writer& w, std::string_view s) {
  if (s.data() == nullptr) w.Null();
  else string(w, s);
}
void time_value(json_writer& w, std::int64_t seconds) {
  char buf[20];
  format_time(seconds, buf);
  w.String(buf, 20);
}

void phone(std::string& out, std::uint64_t index, char kind) {
  out = "+1 425 555 ";
  out += kind;
  char digits[8];
  std::uint64_t n = index % 1000;
  auto end = std::to_chars(digits, digits + sizeof digits, n + 1000).ptr;
  out.append(digits + 1, end);  // three digits, zero-padded
}

void disabled_plans(json_writer& w, const sku_def& sku, const user_license& l) {
  w.StartArray();
  for (std::size_t n = 0; n < l.disabled_count; ++n) string(w, sku.plans[l.disabled[n]].id);
  w.EndArray();
}

void write_licenses(const tenant_state& t, const license_set& set, json_writer& w) {
  w.StartArray();
  for (const user_license& l : set.view()) {
    const sku_def& sku = t.skus[l.sku];
    w.StartObject();
    key(w, "disabledPlans");
    disabled_plans(w, sku, l);
    key(w, "skuId");
    string(w, sku.sku_id);
    w.EndObject();
  }
  w.EndArray();
}

void write_states(const tenant_state& t, const license_set& set, json_writer& w) {
  w.StartArray();
  for (const user_license& l : set.view()) {
    const sku_def& sku = t.skus[l.sku];
    for (std::size_t n = 0; n < l.state_count; ++n) {
      const assignment_state& st = l.states[n];
      w.StartObject();
      key(w, "assignedByGroup");
      if (st.group < 0) w.Null();
      else string(w, t.groups[static_cast<std::size_t>(st.group)]);
      key(w, "disabledPlans");
      disabled_plans(w, sku, l);
      key(w, "error");
      string_or_null(w, to_text(st.error));
      key(w, "lastUpdatedDateTime");
      time_value(w, st.updated);
      key(w, "skuId");
      string(w, sku.sku_id);
      key(w, "state");
      string(w, to_text(st.state));
      w.EndObject();
    }
  }
  w.EndArray();
}

void write_sign_in(const tenant_state& t, const user_profile& p, json_writer& w) {
  if (!p.signed_in) {
    w.Null();  // never signed in (or before April 2020): Graph returns no signInActivity
    return;
  }
  mix::stream s(mix::hash(t.config.seed, 0x5349474e, p.index));
  const std::int64_t since = std::max<std::int64_t>(p.created, 1585699200);  // 2020-04-01
  const std::int64_t last =
      since + static_cast<std::int64_t>(
                  s.below(static_cast<std::uint64_t>(std::max<std::int64_t>(1, 1761955200 - since))));  // .. 2025-11-01
  auto request_id = [&] { return mix::to_string(mix::v4_guid(s.next(), s.next())); };
  w.StartObject();
  key(w, "lastSignInDateTime");
  time_value(w, last);
  key(w, "lastSignInRequestId");
  string(w, request_id());
  key(w, "lastNonInteractiveSignInDateTime");
  time_value(w, last + 3600);
  key(w, "lastNonInteractiveSignInRequestId");
  string(w, request_id());
  key(w, "lastSuccessfulSignInDateTime");
  time_value(w, last);
  key(w, "lastSuccessfulSignInRequestId");
  string(w, request_id());
  w.EndObject();
}

}  // namespace

// licenseDetails ids are base64url(tenant GUID bytes ‖ skuId bytes), .NET byte order (SOURCES.md §3): the same
// for every user holding the SKU.
std::string license_details_id(const tenant_state& t, const std::string& sku_id) {
  unsigned char bytes[32];
  auto put = [&](const std::string& text, unsigned char* out) {
    const mix::guid g = mix::parse_guid(text).value_or(mix::guid{});
    unsigned char raw[16];
    for (int n = 0; n < 8; ++n) raw[n] = static_cast<unsigned char>(g.hi >> (56 - 8 * n));
    for (int n = 0; n < 8; ++n) raw[8 + n] = static_cast<unsigned char>(g.lo >> (56 - 8 * n));
    static constexpr int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int n = 0; n < 16; ++n) out[n] = raw[order[n]];
  };
  put(t.tenant_id, bytes);
  put(sku_id, bytes + 16);
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (int n = 0; n < 32; n += 3) {
    unsigned v = unsigned(bytes[n]) << 16 | (n + 1 < 32 ? unsigned(bytes[n + 1]) << 8 : 0u) |
                 (n + 2 < 32 ? unsigned(bytes[n + 2]) : 0u);
    const int chars = n + 2 < 32 ? 4 : n + 1 < 32 ? 3 : 2;
    for (int c = 0; c < chars; ++c) out += alphabet[(v >> (18 - 6 * c)) & 63];
  }
  return out;
}

}  // namespace graphsim::detail

namespace graphsim {

using namespace detail;

bool tenant::is_user_property(std::string_view name) { return find_prop(name) != nullptr; }

bool tenant::is_single_user_only_property(std::string_view name) {
  const prop_info* info = find_prop(name);
  return info && info->code == prop::single_user_only;
}

void tenant::write_user(std::uint64_t i, std::span<const std::string> select, json_writer& w) const {
  const tenant_state& t = *impl_;
  const auto& props = resolve(t, select);
  const user_profile p = make_profile(t, i);
  license_set licenses;
  bool licenses_loaded = false;
  auto load_licenses = [&]() -> const license_set& {
    if (!licenses_loaded) current_licenses(t, p, licenses);
    licenses_loaded = true;
    return licenses;
  };
  std::string text;
  w.StartObject();
  for (const prop_info* info : props) {
    key(w, info->name);
    text.clear();
    switch (info->code) {
      case prop::id: {
        char id[36];
        format_user_id(t, i, id);
        w.String(id, 36);
        break;
      }
      case prop::user_principal_name:
        append_upn(t, p, text);
        string(w, text);
        break;
      case prop::display_name:
        append_display_name(p, text);
        string(w, text);
        break;
      case prop::mail:
        if (!p.has_mail) {
          w.Null();
          break;
        }
        append_mail(t, p, text);
        string(w, text);
        break;
      case prop::user_type:
        string(w, p.guest ? "Guest" : "Member");
        break;
      case prop::account_enabled:
        w.Bool(p.enabled);
        break;
      case prop::usage_location:
        if (p.has_usage_location) string(w, p.culture->country);
        else w.Null();
        break;
      case prop::on_premises_sync_enabled:
        if (p.synced) w.Bool(true);
        else w.Null();  // cloud-only users: null, never false
        break;
      case prop::department:
        string_or_null(w, p.department);
        break;
      case prop::created_date_time:
        if (p.created == 0) w.Null();
        else time_value(w, p.created);
        break;
      case prop::creation_type:
        if (p.guest) string(w, "Invitation");
        else if (p.email_verified) string(w, "EmailVerified");
        else w.Null();
        break;
      case prop::assigned_licenses:
        write_licenses(t, load_licenses(), w);
        break;
      case prop::license_assignment_states:
        write_states(t, load_licenses(), w);
        break;
      case prop::business_phones:
        w.StartArray();
        if (p.has_phone && !p.guest) {
          phone(text, i, '0');
          string(w, text);
        }
        w.EndArray();
        break;
      case prop::given_name:
        string(w, p.given->text);
        break;
      case prop::job_title:
        string_or_null(w, p.guest ? std::string_view() : p.job_title);
        break;
      case prop::mobile_phone:
        if (p.has_phone && i % 2 == 1) {
          phone(text, i, '1');
          string(w, text);
        } else {
          w.Null();
        }
        break;
      case prop::office_location:
        string_or_null(w, p.guest ? std::string_view() : p.office);
        break;
      case prop::preferred_language:
        string_or_null(w, p.guest ? std::string_view() : p.culture->language);
        break;
      case prop::surname:
        string(w, p.surname->text);
        break;
      case prop::sign_in_activity:
        write_sign_in(t, p, w);
        break;
      case prop::external_user_state:
        if (p.guest) string(w, "Accepted");
        else w.Null();
        break;
      case prop::mail_nickname:
        append_upn(t, p, text);
        string(w, std::string_view(text).substr(0, text.rfind('@')));
        break;
      case prop::proxy_addresses:
        w.StartArray();
        if (p.has_mail && !p.guest) {
          text = "SMTP:";
          append_mail(t, p, text);
          string(w, text);
        }
        w.EndArray();
        break;
      case prop::identities:
        w.StartArray();
        w.StartObject();
        key(w, "signInType");
        string(w, "userPrincipalName");
        key(w, "issuer");
        string(w, t.domain);
        key(w, "issuerAssignedId");
        append_upn(t, p, text);
        string(w, text);
        w.EndObject();
        w.EndArray();
        break;
      case prop::on_premises_immutable_id:
        if (p.synced) {
          // The base64 of the on-premises objectGUID: 24 characters.
          text = license_details_id(t, user_id(t, i)).substr(22, 22) + "==";
          string(w, text);
        } else {
          w.Null();
        }
        break;
      case prop::null_value:
      case prop::single_user_only:
        w.Null();
        break;
      case prop::empty_collection:
        w.StartArray();
        w.EndArray();
        break;
    }
  }
  w.EndObject();
}

void tenant::write_license_details(std::uint64_t i, json_writer& w) const {
  const tenant_state& t = *impl_;
  const user_profile p = make_profile(t, i);
  license_set licenses;
  current_licenses(t, p, licenses);
  for (const user_license& l : licenses.view()) {
    const sku_def& sku = t.skus[l.sku];
    w.StartObject();
    key(w, "id");
    string(w, license_details_id(t, sku.sku_id));
    key(w, "skuId");
    string(w, sku.sku_id);
    key(w, "skuPartNumber");
    string(w, sku.part_number);
    key(w, "servicePlans");
    json_out::service_plans(w, sku.plans, [&](std::size_t n) {
      return std::find(l.disabled.begin(), l.disabled.begin() + l.disabled_count, n) ==
             l.disabled.begin() + l.disabled_count;
    });
    w.EndObject();
  }
}

}  // namespace graphsim
