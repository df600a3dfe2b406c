#include "audit/detail/preflight.hpp"

#include "builders.hpp"

#include <doctest/doctest.h>

using audit::idp_outcome;
using audit::origin;

TEST_CASE("a SKU in the managed set is unaffected whatever its origin") {
  audit::managed_skus managed;
  managed.sku_ids.insert("aaaaaaaa-0000-0000-0000-000000000001");
  for (origin o : {origin::group_inherited, origin::partner_managed, origin::self_service_purchase,
                   origin::unattributed, origin::organization})
    CHECK(audit::license_outcome(o, "AAAAAAAA-0000-0000-0000-000000000001", managed) == idp_outcome::unaffected);
}

TEST_CASE("a SKU outside the managed set is refused or may be refused by origin") {
  audit::managed_skus managed;
  auto outcome = [&](origin o) { return audit::license_outcome(o, audit_test::sku_a, managed); };
  CHECK(outcome(origin::partner_managed) == idp_outcome::removal_refused_403);
  CHECK(outcome(origin::self_service_trial) == idp_outcome::removal_refused_403);
  CHECK(outcome(origin::self_service_purchase) == idp_outcome::removal_refused_403);
  CHECK(outcome(origin::group_inherited) == idp_outcome::removal_refused_400);
  CHECK(outcome(origin::mixed_ownership) == idp_outcome::removal_may_be_refused);
  CHECK(outcome(origin::self_service_signup) == idp_outcome::removal_may_be_refused);
  CHECK(outcome(origin::unattributed) == idp_outcome::removal_may_be_refused);
  CHECK(outcome(origin::organization) == idp_outcome::unaffected);  // removed without trouble
}

TEST_CASE("a user's call fails if any row is refused, counted under 403, then 400, then may-be-refused") {
  using audit::call_outcome;
  using audit::combine;
  CHECK(combine(call_outcome::succeeds, idp_outcome::unaffected) == call_outcome::succeeds);
  CHECK(combine(call_outcome::succeeds, idp_outcome::removal_may_be_refused) == call_outcome::may_be_refused);
  CHECK(combine(call_outcome::may_be_refused, idp_outcome::removal_refused_400) == call_outcome::refused_400);
  CHECK(combine(call_outcome::refused_400, idp_outcome::removal_refused_403) == call_outcome::refused_403);
  CHECK(combine(call_outcome::refused_403, idp_outcome::removal_refused_400) == call_outcome::refused_403);
  CHECK(combine(call_outcome::refused_400, idp_outcome::unaffected) == call_outcome::refused_400);
}

TEST_CASE("managed SKUs resolve part numbers against the snapshot, then the catalogue, and GUIDs as given") {
  std::vector<storage::sku_record> skus{audit_test::sku(audit_test::sku_a, "CONTOSO_SPECIAL")};
  auto m = audit::resolve_managed_skus(
      std::vector<std::string>{"contoso_special", "enterprisepack", "BBBBBBBB-0000-0000-0000-000000000002", "mcopstn5"},
      skus, audit::embedded_catalogue());
  REQUIRE(m.has_value());
  CHECK(m->contains(audit_test::sku_a));
  CHECK(m->contains("6fd2c87f-b296-42f0-b197-1e91e994b900"));  // ENTERPRISEPACK from the catalogue
  CHECK(m->contains(audit_test::sku_b));
  CHECK(m->contains("54a152dc-90de-4996-93d2-bc47e670fc06"));  // MCOPSTN5 has two GUIDs
  CHECK(m->contains("d43177b5-475b-4880-92d4-d54c27b5efbd"));
}

TEST_CASE("an unknown managed SKU name is a usage error listing every unknown name") {
  auto m = audit::resolve_managed_skus(std::vector<std::string>{"ENTERPRISEPACK", "NOPE_B", "NOPE_A"}, {},
                                       audit::embedded_catalogue());
  REQUIRE_FALSE(m.has_value());
  CHECK(m.error().code == base::exit_code::usage);
  CHECK(m.error().message.starts_with("--idp-managed-skus: unknown SKU NOPE_A, NOPE_B:"));
}
