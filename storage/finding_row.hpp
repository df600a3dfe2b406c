// storage/finding_row.hpp — the findings row declared once: each column of the findings table, CSV and JSON, with
// the finding_record member it holds. The schema, the binder and reader, the reports and the streamed audit's
// packing all walk finding_fields; adding a column is one entry here (plus its tests).
#pragma once

#include "storage/detail/schema.hpp"
#include "storage/records.hpp"

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

namespace storage {

// How a column's text reads (JSON writes each shape differently; CSV and SQL keep the text as it is).
enum class cell_shape {
  text,          // free text
  list,          // ';'-separated tokens (JSON: an array)
  text_or_none,  // empty means "does not apply" (JSON: null)
  flag,          // an optional<bool>: 1/0/NULL in SQL, true/false/empty in CSV, true/false/null in JSON
};

// Whether a column is known when the finding is made (packed while the streamed audit holds the finding back), or
// made again once the owners' user pages are met (the streamed audit's release, database::update_owner_findings).
enum class held_cell { packed, remade };

// One column of the findings row. Exactly one of text and flag is set, as shape says.
struct finding_field {
  schema::column column;  // name (also the CSV header and JSON key), SQL type, description for docs/schema.md
  cell_shape shape = cell_shape::text;
  std::string finding_record::*text = nullptr;
  std::optional<bool> finding_record::*flag = nullptr;
  held_cell held = held_cell::packed;
};

namespace detail {

constexpr finding_field text_field(std::string_view name, std::string finding_record::*member,
                                   std::string_view description, cell_shape shape = cell_shape::text,
                                   held_cell held = held_cell::packed) {
  return {{name, schema::affinity::text, description}, shape, member, nullptr, held};
}

// check is the column's CHECK expression, `<name> IN (0, 1)` (static_assert below).
constexpr finding_field flag_field(std::string_view name, std::optional<bool> finding_record::*member,
                                   std::string_view description, std::string_view check) {
  return {
      {name, schema::affinity::integer, description, schema::nulls::allowed, check}, cell_shape::flag, nullptr, member};
}

}  // namespace detail

// The columns in contract order (docs/design.md §4): the findings table's after scan_id, the CSV's and the JSON's.
inline constexpr finding_field finding_fields[] = {
    detail::text_field("tenant_id", &finding_record::tenant_id, "home tenant id"),
    detail::text_field("user_id", &finding_record::user_id, "the user's object id"),
    detail::text_field("user_principal_name", &finding_record::user_principal_name, "the user's sign-in name"),
    detail::text_field("display_name", &finding_record::display_name, "the user's display name"),
    detail::flag_field("account_enabled", &finding_record::account_enabled, "1/0; NULL when unknown",
                       "account_enabled IN (0, 1)"),
    detail::text_field("user_type", &finding_record::user_type, "`Member` or `Guest`"),
    detail::text_field("department", &finding_record::department, "the user's department"),
    detail::text_field("sku_id", &finding_record::sku_id, "the SKU's GUID (lower-case)"),
    detail::text_field("sku_part_number", &finding_record::sku_part_number,
                       "from subscribedSkus, else the catalogue, else empty"),
    detail::text_field("product_name", &finding_record::product_name, "the catalogue's product name"),
    detail::text_field("origin", &finding_record::origin,
                       "docs/design.md §3: `group_inherited`, `partner_managed`, `self_service_trial`, "
                       "`self_service_purchase`, `mixed_ownership`, `self_service_signup` or `unattributed`"),
    detail::text_field("confidence", &finding_record::confidence, "`high`, `medium` or `low`"),
    detail::text_field("evidence", &finding_record::evidence, "`;`-separated rule tokens", cell_shape::list),
    detail::text_field("assignment", &finding_record::assignment, "`direct`, `group`, `direct+group` or `unknown`"),
    detail::text_field("group_ids", &finding_record::group_ids, "assigning groups, `;`-separated, sorted",
                       cell_shape::list),
    detail::text_field("subscription_ids", &finding_record::subscription_ids,
                       "the SKU's subscriptions, `;`-separated, sorted", cell_shape::list),
    detail::text_field("owner_ids", &finding_record::owner_ids, "the subscriptions' owners, `;`-separated, sorted",
                       cell_shape::list),
    // Named from the owners' user pages, which may come after the finding's: made again on release.
    detail::text_field("owner_upns", &finding_record::owner_upns,
                       "those owners' user principal names, `;`-separated, sorted", cell_shape::list,
                       held_cell::remade),
    detail::text_field("owner_tenant_ids", &finding_record::owner_tenant_ids,
                       "the subscriptions' owner tenants, `;`-separated, sorted", cell_shape::list),
    detail::flag_field("is_trial", &finding_record::is_trial,
                       "1 when every subscription of the SKU is a trial, 0 if not; NULL when unknown",
                       "is_trial IN (0, 1)"),
    detail::text_field("idp_outcome", &finding_record::idp_outcome,
                       "`unaffected`, `removal_refused_403`, `removal_refused_400`, "
                       "`removal_may_be_refused`; empty unless --idp-managed-skus",
                       cell_shape::text_or_none),
    // Names the owners too (see owner_upns).
    detail::text_field("recommended_action", &finding_record::recommended_action,
                       "what an administrator should do (free text)", cell_shape::text, held_cell::remade),
    // Added after the contract's first 22 columns (docs/design.md §4.1). The groups are read after the listing, so
    // a streamed finding names them when released, as it names owners.
    detail::text_field("group_names", &finding_record::group_names,
                       "the display names of the groups in group_ids that could be read (GroupMember.Read.All), "
                       "`;`-separated, in group_ids order; empty when none could be",
                       cell_shape::list, held_cell::remade),
};

inline constexpr std::size_t finding_field_count = std::size(finding_fields);

namespace detail {

// Converts to any member type: T{any_member{}...} compiles exactly while there are no more initializers than
// T's members (an aggregate of non-aggregate members, so no brace elision).
struct any_member {
  template <class T>
  operator T() const;  // NOLINT: implicit on purpose; declared only (unevaluated use)
};

template <class T, std::size_t... I>
constexpr bool initializable_with(std::index_sequence<I...>) {
  return requires { T{(static_cast<void>(I), any_member{})...}; };
}

// The number of members of the aggregate T.
template <class T, std::size_t N = 0>
constexpr std::size_t member_count() {
  if constexpr (initializable_with<T>(std::make_index_sequence<N + 1>{})) return member_count<T, N + 1>();
  else return N;
}

constexpr bool flag_check_names_column(const finding_field& f) {
  std::string_view const check = f.column.check;
  return check.starts_with(f.column.name) && check.substr(f.column.name.size()) == " IN (0, 1)";
}

// Each field is well formed and no member is listed twice.
constexpr bool finding_fields_consistent() {
  for (std::size_t i = 0; i < finding_field_count; ++i) {
    const auto& f = finding_fields[i];
    bool const is_flag = f.shape == cell_shape::flag;
    if (is_flag != (f.flag != nullptr) || is_flag == (f.text != nullptr)) return false;
    if (is_flag && (f.column.type != schema::affinity::integer || f.column.null != schema::nulls::allowed ||
                    !flag_check_names_column(f)))
      return false;
    if (!is_flag && (f.column.type != schema::affinity::text || f.column.null != schema::nulls::refused)) return false;
    for (std::size_t j = 0; j < i; ++j) {
      const auto& g = finding_fields[j];
      if (f.column.name == g.column.name) return false;
      if (f.text != nullptr && f.text == g.text) return false;
      if (f.flag != nullptr && f.flag == g.flag) return false;
    }
  }
  return true;
}

}  // namespace detail

// Together: every member of finding_record is a column, once. A member added without its entry fails here.
static_assert(detail::member_count<finding_record>() == finding_field_count,
              "finding_record and finding_fields disagree: declare the new member's column in finding_fields");
static_assert(detail::finding_fields_consistent(), "finding_fields: a member twice, or a shape that does not fit");

}  // namespace storage
