#include "audit/rules_file.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

TEST_CASE("override and signup lines are read and comments and blank lines skipped") {
  auto r = audit::parse_rules(
      "# managed by Contoso's reseller\n"
      "\n"
      "override AAAAAAAA-0000-0000-0000-000000000001 partner_managed  bought through Fabrikam (CSP)  \r\n"
      "   # indented comment\n"
      "signup bbbbbbbb-0000-0000-0000-000000000002 MY_VIRAL_SKU\n"
      "signup cccccccc-0000-0000-0000-000000000003\n",
      "test");
  REQUIRE(r.has_value());
  REQUIRE(r->overrides.size() == 1);
  const auto& o = r->overrides.at("aaaaaaaa-0000-0000-0000-000000000001");
  CHECK(o.origin == audit::origin::partner_managed);
  CHECK(o.reason == "bought through Fabrikam (CSP)");
  CHECK(o.line == 3);
  CHECK(r->signup_skus.at("BBBBBBBB-0000-0000-0000-000000000002") == "MY_VIRAL_SKU");
  CHECK(r->signup_skus.at("cccccccc-0000-0000-0000-000000000003").empty());
}

TEST_CASE("rules-file errors name the line and what is wrong") {
  auto error_of = [](std::string_view text) {
    auto r = audit::parse_rules(text, "'rules.txt'");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == base::exit_code::usage);
    return r.error().message;
  };
  CHECK(error_of("# ok\noveride aaaaaaaa-0000-0000-0000-000000000001 partner_managed\n") ==
        "rules file 'rules.txt' line 2: unknown directive 'overide' (expected override, signup or a # comment)");
  CHECK(error_of("override aaaaaaaa-0000-0000-0000-000000000001\n") ==
        "rules file 'rules.txt' line 1: override needs a skuId and an origin: override <skuId> <origin> [reason]");
  CHECK(error_of("\n\noverride FLOW_FREE organization\n") ==
        "rules file 'rules.txt' line 3: 'FLOW_FREE' is not a skuId (a GUID such as "
        "6fd2c87f-b296-42f0-b197-1e91e994b900)");
  CHECK(error_of("override aaaaaaaa-0000-0000-0000-000000000001 external\n")
            .starts_with("rules file 'rules.txt' line 1: unknown origin 'external' (one of: group_inherited,"));
  CHECK(error_of("override aaaaaaaa-0000-0000-0000-000000000001 partner_managed\n"
                 "override AAAAAAAA-0000-0000-0000-000000000001 organization\n") ==
        "rules file 'rules.txt' line 2: skuId aaaaaaaa-0000-0000-0000-000000000001 is already overridden on line 1");
  CHECK(error_of("signup\n") == "rules file 'rules.txt' line 1: signup needs a skuId: signup <skuId> [part number]");
  CHECK(error_of("signup aaaaaaaa-0000-0000-0000-000000000001 PART extra words\n") ==
        "rules file 'rules.txt' line 1: unexpected text after the part number: 'extra words'");
}

TEST_CASE("the embedded default rules parse") {
  auto r = audit::load_rules("");
  REQUIRE(r.has_value());
}

TEST_CASE("--rules PATH is read from the file and a missing file is a usage error") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "rules.txt", "override aaaaaaaa-0000-0000-0000-000000000001 unattributed why\n");
  auto r = audit::load_rules((dir / "rules.txt").string());
  REQUIRE(r.has_value());
  CHECK(r->overrides.count("aaaaaaaa-0000-0000-0000-000000000001") == 1);

  auto missing = audit::load_rules((dir / "nope.txt").string());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == base::exit_code::usage);
  CHECK(missing.error().message.starts_with("cannot read rules file '"));
}

TEST_CASE("a bad line in a rules file names the file") {
  test_support::temp_dir dir;
  test_support::write_file(dir / "r.txt", "signup nope\n");
  auto r = audit::load_rules((dir / "r.txt").string());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message.starts_with("rules file '" + (dir / "r.txt").string() + "' line 1: 'nope' is not a skuId"));
}
