#include "audit/detail/actions.hpp"

#include <doctest/doctest.h>

using audit::origin;

namespace {

storage::finding_record finding() {
  storage::finding_record f;
  f.sku_id = "aaaaaaaa-0000-0000-0000-000000000001";
  f.sku_part_number = "POWER_BI_PRO";
  f.group_ids = "g1;g2";
  f.owner_upns = "alice@contoso.example";
  f.owner_ids = "o1";
  f.owner_tenant_ids = "t1";
  return f;
}

}  // namespace

TEST_CASE("the action for a group-inherited license names the groups") {
  auto a = audit::recommended_action(origin::group_inherited, finding());
  CHECK(a.find("licensing group(s) g1, g2") != std::string::npos);
}

TEST_CASE("the action for a partner license names the partner tenant") {
  CHECK(audit::recommended_action(origin::partner_managed, finding()).find("owner tenant t1") != std::string::npos);
}

TEST_CASE("the action for a self-service purchase names the purchaser and how to stop recurrence") {
  auto a = audit::recommended_action(origin::self_service_purchase, finding());
  CHECK(a.find("alice@contoso.example") != std::string::npos);
  CHECK(a.find("Billing > Your products > Self-service") != std::string::npos);
  CHECK(a.find("AllowSelfServicePurchase") != std::string::npos);
  CHECK(audit::recommended_action(origin::self_service_trial, finding()).find("Let users start trials") !=
        std::string::npos);
}

TEST_CASE("the action for a sign-up SKU points at Billing > Your products > Free") {
  CHECK(audit::recommended_action(origin::self_service_signup, finding()).find("Billing > Your products > Free") !=
        std::string::npos);
}

TEST_CASE("every finding origin has an action and organization has none") {
  for (origin o :
       {origin::group_inherited, origin::partner_managed, origin::self_service_trial, origin::self_service_purchase,
        origin::mixed_ownership, origin::self_service_signup, origin::unattributed})
    CHECK_FALSE(audit::recommended_action(o, storage::finding_record{}).empty());
  CHECK(audit::recommended_action(origin::organization, finding()).empty());
}

TEST_CASE("a rules-file reason is quoted before the action") {
  CHECK(audit::recommended_action(origin::partner_managed, finding(), "bought through Fabrikam")
            .starts_with("Rules file: bought through Fabrikam. Ask the partner"));
}
