// tests/reports/sample_findings.hpp — findings with hostile text, shared by the renderer tests.
#pragma once

#include "reports/detail/finding_source.hpp"
#include "storage/records.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace reports_test {

// A finding for user n (ids derived from n) with the given upn, display name, SKU part number and origin.
storage::finding_record make_finding(int n, std::string upn, std::string display_name, std::string sku_part_number,
                                     std::string origin, std::string idp_outcome = {});

// Findings in the CSV order with quotes, commas, newlines, formula starts, RTL, emoji and <script> in names.
std::vector<storage::finding_record> hostile_findings();

// A source over a vector (in the vector's order).
reports::finding_source source_of(const std::vector<storage::finding_record>& findings);

// True when r holds a value; otherwise logs the error's message so a failed REQUIRE says why.
template <class R>
bool ok(const R& r) {
  if (!r) MESSAGE(r.error().message);
  return r.has_value();
}

}  // namespace reports_test
