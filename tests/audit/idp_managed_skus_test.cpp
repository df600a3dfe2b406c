#include "audit/idp_managed_skus.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

TEST_CASE("a managed-SKU list is split on commas and lines, trimmed, with # comments") {
  CHECK(audit::parse_sku_list(" ENTERPRISEPACK, spe_e5 ,,") == std::vector<std::string>{"ENTERPRISEPACK", "spe_e5"});
  CHECK(audit::parse_sku_list("# managed by Okta\nENTERPRISEPACK # E3\r\nSPE_E5,FLOW_FREE\n\n") ==
        std::vector<std::string>{"ENTERPRISEPACK", "SPE_E5", "FLOW_FREE"});
}

TEST_CASE("@file reads the managed-SKU list from a file") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "skus.txt", "ENTERPRISEPACK\n# comment\nSPE_E5\n");
  auto names = audit::parse_idp_managed_skus("@" + (dir / "skus.txt").string());
  REQUIRE(names.has_value());
  CHECK(*names == std::vector<std::string>{"ENTERPRISEPACK", "SPE_E5"});

  auto missing = audit::parse_idp_managed_skus("@" + (dir / "none.txt").string());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == base::exit_code::usage);

  auto empty = audit::parse_idp_managed_skus(" , ");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().code == base::exit_code::usage);
}

TEST_CASE("an empty --idp-managed-skus value means no pre-flight") {
  auto names = audit::parse_idp_managed_skus("");
  REQUIRE(names.has_value());
  CHECK(names->empty());
}
