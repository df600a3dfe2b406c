// reports/csv.hpp — the findings CSV (docs/design.md §4): fixed columns, RFC 4180, formula guard, streamed.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "reports/finding_source.hpp"
#include "reports/output_file.hpp"
#include "storage/records.hpp"

namespace reports {

// The 22 columns of the findings CSV, in contract order; JSON uses the same names.
inline constexpr std::array<std::string_view, 22> finding_columns = {
    "tenant_id",        "user_id",    "user_principal_name", "display_name",      "account_enabled", "user_type",
    "department",       "sku_id",     "sku_part_number",     "product_name",      "origin",          "confidence",
    "evidence",         "assignment", "group_ids",           "subscription_ids",  "owner_ids",       "owner_upns",
    "owner_tenant_ids", "is_trial",   "idp_outcome",         "recommended_action"};

// "true", "false", or "" when unknown.
std::string_view csv_bool(const std::optional<bool>& b);

// Appends the header row (CRLF-terminated).
void append_findings_header(std::string& out);

// Appends one finding as a row (CRLF-terminated).
void append_finding_row(std::string& out, const storage::finding_record& f);

// Writes the header and every finding of source to out (not committed: the caller commits).
base::result<void> render_csv(const finding_source& source, output_file& out);

}  // namespace reports
