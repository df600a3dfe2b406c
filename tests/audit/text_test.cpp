#include "audit/detail/text.hpp"

#include <doctest/doctest.h>

TEST_CASE("trim removes spaces, tabs and NBSP around a key but not inside it") {
  CHECK(audit::trim("  AAD_PREMIUM_USGOV_GCCHIGH ") == "AAD_PREMIUM_USGOV_GCCHIGH");
  CHECK(audit::trim("RIGHTSMANAGEMENT_CE_GOV\t") == "RIGHTSMANAGEMENT_CE_GOV");
  CHECK(audit::trim("MCOCAP_FACULTY\xC2\xA0") == "MCOCAP_FACULTY");
  CHECK(audit::trim("\xC2\xA0 MICROSOFT STREAM \xC2\xA0") == "MICROSOFT STREAM");
  CHECK(audit::trim("   ").empty());
}

TEST_CASE("GUIDs are recognised in any case and nothing else is") {
  CHECK(audit::is_guid("606B54A9-78d8-4298-ad8b-df6ef4481c80"));
  CHECK_FALSE(audit::is_guid("{606b54a9-78d8-4298-ad8b-df6ef4481c80}"));
  CHECK_FALSE(audit::is_guid("606b54a9-78d8-4298-ad8b-df6ef4481c8g"));
  CHECK_FALSE(audit::is_guid("FLOW_FREE"));
}

TEST_CASE("list cells are sorted, de-duplicated and joined with semicolons") {
  std::vector<std::string> v{"b", "a", "b", ""};
  audit::sort_unique(v);
  CHECK(audit::join(v) == ";a;b");
  CHECK(audit::join({}) == "");
}

TEST_CASE("case-insensitive hashing agrees with case-insensitive equality") {
  audit::ci_hash h;
  CHECK(h("Microsoft_Teams_Exploratory_Dept") == h("MICROSOFT_TEAMS_EXPLORATORY_DEPT"));
  CHECK(audit::ci_equal{}("Abc", "aBC"));
}
