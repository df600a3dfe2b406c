#include "audit/detail/classify.hpp"

#include "audit/detail/catalogue.hpp"
#include "builders.hpp"

#include <doctest/doctest.h>

using namespace audit_test;
using audit::origin;

namespace {

// A snapshot's SKU facts plus rules; classify_one() builds the index the way run_audit does.
struct snapshot {
  std::vector<storage::sku_record> skus;
  std::vector<storage::subscription_record> subscriptions;
  audit::rules rules;
  std::string home = home_tenant;

  audit::sku_index index() const {
    return {skus, subscriptions, home, audit::embedded_catalogue(), audit::embedded_signup_list(), rules};
  }
};

// The verdict's columns, copied out so that the index may die.
struct verdict {
  origin o;
  std::string confidence, evidence, assignment, group_ids, subscription_ids, owner_ids, owner_tenant_ids, part_number,
      product_name, sku_id;
  std::optional<bool> is_trial;
};

verdict classify_one(const snapshot& snap, const storage::user_licenses& u, std::string_view sku_id) {
  auto index = snap.index();
  for (const auto& v : audit::classify(u, index)) {
    if (!audit::iequals(v.sku_id, sku_id)) continue;
    return {v.origin,
            std::string(audit::to_string(v.confidence)),
            v.evidence,
            std::string(audit::to_string(v.assignment)),
            audit::join(v.group_ids),
            audit::join(v.sku->subscription_ids),
            audit::join(v.sku->owner_ids),
            audit::join(v.sku->owner_tenant_ids),
            v.sku->part_number,
            v.sku->product_name,
            v.sku_id,
            v.sku->is_trial};
  }
  FAIL("no verdict for the SKU");
  return {};
}

snapshot one_sku(std::vector<storage::subscription_record> subs) {
  snapshot s;
  s.skus = {sku(sku_a, "SKU_A")};
  s.subscriptions = std::move(subs);
  return s;
}

storage::user_licenses direct_user(std::string_view sku_id = sku_a) {
  auto u = user("u1", {std::string(sku_id)});
  add_state(u, std::string(sku_id), std::nullopt);
  return u;
}

}  // namespace

TEST_CASE("a SKU bought by the organization is organization, not a finding") {
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), direct_user(), sku_a);
  CHECK(v.o == origin::organization);
  CHECK(v.confidence == "");
  CHECK(v.evidence == "");
  CHECK(v.assignment == "direct");
  CHECK(v.part_number == "SKU_A");
  CHECK(v.is_trial == false);
}

TEST_CASE("a license inherited from a group only is group_inherited, whatever owns the subscription") {
  auto u = user("u1", {sku_a});
  add_state(u, sku_a, "EEEEEEEE-0000-0000-0000-000000000002");
  add_state(u, sku_a, "eeeeeeee-0000-0000-0000-000000000001");
  add_state(u, sku_a, "eeeeeeee-0000-0000-0000-000000000002");
  // group before partner: the partner rule matches too, but rule 1 comes first
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::partner)}), u, sku_a);
  CHECK(v.o == origin::group_inherited);
  CHECK(v.confidence == "high");
  CHECK(v.evidence == "group_inherited;partner_subscription");
  CHECK(v.assignment == "group");
  CHECK(v.group_ids == "eeeeeeee-0000-0000-0000-000000000001;eeeeeeee-0000-0000-0000-000000000002");
}

TEST_CASE("a license assigned both directly and by a group is direct+group and not group_inherited") {
  auto u = user("u1", {sku_a});
  add_state(u, sku_a, std::nullopt);
  add_state(u, sku_a, "eeeeeeee-0000-0000-0000-000000000001");
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), u, sku_a);
  CHECK(v.o == origin::organization);
  CHECK(v.assignment == "direct+group");
  CHECK(v.group_ids == "eeeeeeee-0000-0000-0000-000000000001");
}

TEST_CASE("an empty assignedByGroup counts as a direct assignment") {
  auto u = user("u1", {sku_a});
  add_state(u, sku_a, std::string{});
  CHECK(classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), u, sku_a).assignment == "direct");
}

TEST_CASE("a license without a licenseAssignmentStates entry has assignment unknown") {
  auto u = user("u1", {sku_a});
  CHECK(classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), u, sku_a).assignment == "unknown");
}

TEST_CASE("a SKU whose only subscriptions are partner-created is partner_managed") {
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::partner), subscription("s2", sku_a, owner::partner)}),
                        direct_user(), sku_a);
  CHECK(v.o == origin::partner_managed);
  CHECK(v.confidence == "medium");
  CHECK(v.evidence == "partner_subscription");
  CHECK(v.subscription_ids == "s1;s2");
  CHECK(v.owner_tenant_ids == partner_tenant);
  CHECK(v.owner_ids == "dddddddd-0000-0000-0000-000000000000");
}

TEST_CASE("an ownerTenantId equal to the home tenant is not a partner") {
  auto sub = subscription("s1", sku_a, owner::organization);
  sub.owner_tenant_id = home_tenant;
  CHECK(classify_one(one_sku({sub}), direct_user(), sku_a).o == origin::organization);
  // compared ignoring case
  sub.owner_tenant_id = "AAAAAAAA-1111-1111-1111-111111111111";
  CHECK(audit::kind_of(sub, "aaaaaaaa-1111-1111-1111-111111111111") == audit::subscription_kind::organization);
  CHECK(audit::kind_of(sub, home_tenant) == audit::subscription_kind::partner);
}

TEST_CASE("owner_tenant_ids lists partner tenants, never the home tenant") {
  auto own = subscription("s1", sku_a, owner::organization);
  own.owner_tenant_id = home_tenant;
  auto v = classify_one(one_sku({own, subscription("s2", sku_a, owner::partner)}), direct_user(), sku_a);
  CHECK(v.o == origin::mixed_ownership);
  CHECK(v.owner_tenant_ids == partner_tenant);
}

TEST_CASE("a partner subscription whose ownerType is User is still partner-created") {
  auto sub = subscription("s1", sku_a, owner::partner);
  sub.owner_type = "User";
  CHECK(audit::kind_of(sub, home_tenant) == audit::subscription_kind::partner);
}

TEST_CASE("user-owned trial subscriptions make a self_service_trial") {
  auto v = classify_one(
      one_sku({subscription("s1", sku_a, owner::user, true), subscription("s2", sku_a, owner::user, true)}),
      direct_user(), sku_a);
  CHECK(v.o == origin::self_service_trial);
  CHECK(v.confidence == "high");
  CHECK(v.evidence == "user_owned_trial;user_owned_subscription");
  CHECK(v.is_trial == true);
  CHECK(v.owner_ids == "cccccccc-0000-0000-0000-000000000001;cccccccc-0000-0000-0000-000000000002");
}

TEST_CASE("ownerType user in lower case is user-owned") {
  auto sub = subscription("s1", sku_a, owner::user, false);
  sub.owner_type = "user";
  auto v = classify_one(one_sku({sub}), direct_user(), sku_a);
  CHECK(v.o == origin::self_service_purchase);
  CHECK(v.evidence == "user_owned_subscription");
  CHECK(v.is_trial == false);
}

TEST_CASE("user-owned subscriptions that are not all trials are a self_service_purchase") {
  auto v = classify_one(
      one_sku({subscription("s1", sku_a, owner::user, true), subscription("s2", sku_a, owner::user, false)}),
      direct_user(), sku_a);
  CHECK(v.o == origin::self_service_purchase);
  CHECK(v.is_trial == false);
}

TEST_CASE("an unknown isTrial leaves is_trial empty and is not a trial") {
  auto v = classify_one(
      one_sku({subscription("s1", sku_a, owner::user, std::nullopt), subscription("s2", sku_a, owner::user, true)}),
      direct_user(), sku_a);
  CHECK(v.o == origin::self_service_purchase);
  CHECK_FALSE(v.is_trial.has_value());
}

TEST_CASE("subscriptions of more than one kind are mixed_ownership") {
  auto v =
      classify_one(one_sku({subscription("s1", sku_a, owner::organization), subscription("s2", sku_a, owner::user)}),
                   direct_user(), sku_a);
  CHECK(v.o == origin::mixed_ownership);
  CHECK(v.confidence == "medium");
  CHECK(v.evidence == "mixed_subscriptions");
  CHECK(v.subscription_ids == "s1;s2");

  auto partner_and_user =
      classify_one(one_sku({subscription("s1", sku_a, owner::partner), subscription("s2", sku_a, owner::user)}),
                   direct_user(), sku_a);
  CHECK(partner_and_user.o == origin::mixed_ownership);
}

TEST_CASE("Deleted subscriptions are ignored") {
  auto v = classify_one(
      one_sku({subscription("s1", sku_a, owner::organization), subscription("s2", sku_a, owner::user, false, "Deleted"),
               subscription("s3", sku_a, owner::partner, false, "deleted")}),
      direct_user(), sku_a);
  CHECK(v.o == origin::organization);
  CHECK(v.subscription_ids == "s1");

  auto only_deleted =
      classify_one(one_sku({subscription("s2", sku_a, owner::user, false, "Deleted")}), direct_user(), sku_a);
  CHECK(only_deleted.o == origin::unattributed);
  CHECK(only_deleted.evidence == "no_subscription");
  CHECK_FALSE(only_deleted.is_trial.has_value());
}

TEST_CASE("subscriptions are matched to SKUs ignoring GUID case") {
  auto v = classify_one(one_sku({subscription("S1", "AAAAAAAA-0000-0000-0000-000000000001", owner::partner)}),
                        direct_user(), sku_a);
  CHECK(v.o == origin::partner_managed);
  CHECK(v.subscription_ids == "s1");
}

TEST_CASE("a viral SKU held through an organization subscription is self_service_signup") {
  snapshot snap;
  snap.skus = {sku(flow_free, "FLOW_FREE")};
  snap.subscriptions = {subscription("s1", flow_free, owner::organization)};
  auto v = classify_one(snap, direct_user(flow_free), flow_free);
  CHECK(v.o == origin::self_service_signup);
  CHECK(v.confidence == "medium");
  CHECK(v.evidence == "signup_sku");
  CHECK(v.product_name == "Microsoft Power Automate Free");
}

TEST_CASE("a user-owned subscription of a viral SKU is a purchase first and records the sign-up evidence too") {
  snapshot snap;
  snap.skus = {sku(flow_free, "FLOW_FREE")};
  snap.subscriptions = {subscription("s1", flow_free, owner::user)};
  auto v = classify_one(snap, direct_user(flow_free), flow_free);
  CHECK(v.o == origin::self_service_purchase);
  CHECK(v.evidence == "user_owned_subscription;signup_sku");
}

TEST_CASE("an EmailVerified user adds evidence but does not by itself make a finding") {
  auto u = direct_user();
  u.user.creation_type = "EmailVerified";
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), u, sku_a);
  CHECK(v.o == origin::organization);
  CHECK(v.evidence == "email_verified_user");

  snapshot snap;
  snap.skus = {sku(flow_free, "FLOW_FREE")};
  snap.subscriptions = {subscription("s1", flow_free, owner::organization)};
  auto viral = direct_user(flow_free);
  viral.user.creation_type = "emailverified";
  auto w = classify_one(snap, viral, flow_free);
  CHECK(w.o == origin::self_service_signup);
  CHECK(w.evidence == "signup_sku;email_verified_user");
}

TEST_CASE("a SKU missing from subscribedSkus is unattributed, named from the catalogue") {
  snapshot snap;  // the tenant lists no SKU at all
  auto v =
      classify_one(snap, direct_user("6fd2c87f-b296-42f0-b197-1e91e994b900"), "6fd2c87f-b296-42f0-b197-1e91e994b900");
  CHECK(v.o == origin::unattributed);
  CHECK(v.confidence == "low");
  CHECK(v.evidence == "not_in_subscribed_skus;no_subscription");
  CHECK(v.part_number == "ENTERPRISEPACK");
  CHECK(v.product_name == "Office 365 E3");
}

TEST_CASE("a SKU in subscribedSkus with no subscription is unattributed") {
  auto v = classify_one(one_sku({}), direct_user(), sku_a);
  CHECK(v.o == origin::unattributed);
  CHECK(v.evidence == "no_subscription");
  CHECK_FALSE(v.is_trial.has_value());
}

TEST_CASE("a SKU known to nobody is unattributed with an empty part number and product name") {
  snapshot snap;
  auto v =
      classify_one(snap, direct_user("ABCDEF00-0000-0000-0000-000000000009"), "abcdef00-0000-0000-0000-000000000009");
  CHECK(v.o == origin::unattributed);
  CHECK(v.sku_id == "abcdef00-0000-0000-0000-000000000009");
  CHECK(v.part_number.empty());
  CHECK(v.product_name.empty());
}

TEST_CASE("subscribedSkus' part number wins over the catalogue's") {
  snapshot snap;
  snap.skus = {sku("6fd2c87f-b296-42f0-b197-1e91e994b900", "TENANT_NAME")};
  snap.subscriptions = {subscription("s1", "6fd2c87f-b296-42f0-b197-1e91e994b900", owner::organization)};
  auto v =
      classify_one(snap, direct_user("6fd2c87f-b296-42f0-b197-1e91e994b900"), "6fd2c87f-b296-42f0-b197-1e91e994b900");
  CHECK(v.part_number == "TENANT_NAME");
  CHECK(v.product_name == "Office 365 E3");
}

TEST_CASE("a rules override applies before rule 1 and adds rules_override to the other evidence") {
  auto snap = one_sku({subscription("s1", sku_a, owner::organization)});
  snap.rules.overrides.emplace(sku_a, audit::rule_override{origin::partner_managed, "reseller", 1});
  auto u = user("u1", {sku_a});
  add_state(u, sku_a, "eeeeeeee-0000-0000-0000-000000000001");
  auto v = classify_one(snap, u, sku_a);
  CHECK(v.o == origin::partner_managed);
  CHECK(v.confidence == "high");
  CHECK(v.evidence == "rules_override;group_inherited");
}

TEST_CASE("a rules override to organization silences a finding") {
  snapshot snap;
  snap.skus = {sku(flow_free, "FLOW_FREE")};
  snap.subscriptions = {subscription("s1", flow_free, owner::organization)};
  snap.rules.overrides.emplace(flow_free, audit::rule_override{origin::organization, "we allow it", 1});
  auto v = classify_one(snap, direct_user(flow_free), flow_free);
  CHECK(v.o == origin::organization);
  CHECK(v.evidence == "rules_override;signup_sku");
}

TEST_CASE("a rules-file signup line extends the built-in sign-up list") {
  auto snap = one_sku({subscription("s1", sku_a, owner::organization)});
  snap.rules.signup_skus.emplace(sku_a, "SKU_A");
  auto v = classify_one(snap, direct_user(), sku_a);
  CHECK(v.o == origin::self_service_signup);
  // and the built-in list still applies
  snap.skus.push_back(sku(flow_free, "FLOW_FREE"));
  snap.subscriptions.push_back(subscription("s2", flow_free, owner::organization));
  CHECK(classify_one(snap, direct_user(flow_free), flow_free).o == origin::self_service_signup);
}

TEST_CASE("assignment errors are evidence, and the string None is not an error") {
  auto u = user("u1", {sku_a});
  add_state(u, sku_a, std::nullopt, "CountViolation");
  add_state(u, sku_a, "eeeeeeee-0000-0000-0000-000000000001", "None");
  auto v = classify_one(one_sku({subscription("s1", sku_a, owner::organization)}), u, sku_a);
  CHECK(v.o == origin::organization);
  CHECK(v.evidence == "assignment_error:CountViolation");
}

TEST_CASE("only assignedLicenses entries are classified, each skuId once") {
  auto u = user("u1", {sku_a, "AAAAAAAA-0000-0000-0000-000000000001"});
  add_state(u, sku_b, "eeeeeeee-0000-0000-0000-000000000001");  // a state row without an assignedLicenses entry
  auto snap = one_sku({subscription("s1", sku_a, owner::organization)});
  auto index = snap.index();
  auto verdicts = audit::classify(u, index);
  REQUIRE(verdicts.size() == 1);
  CHECK(verdicts[0].sku_id == sku_a);
}

TEST_CASE("a user without licenses has no verdicts") {
  snapshot snap;
  auto index = snap.index();
  CHECK(audit::classify(user("u1", {}), index).empty());
}

TEST_CASE("every rule's origin, in order, for one user holding one SKU of each kind") {
  snapshot snap;
  const std::string g = "9aaaaaaa-0000-0000-0000-00000000000", p = "9bbbbbbb-0000-0000-0000-00000000000";
  auto id = [](std::string prefix, int i) { return prefix + std::to_string(i); };
  auto u = user("u1", {});
  const origin expected[] = {origin::group_inherited,       origin::partner_managed, origin::self_service_trial,
                             origin::self_service_purchase, origin::mixed_ownership, origin::self_service_signup,
                             origin::unattributed,          origin::organization};
  for (int i = 0; i < 8; ++i) {
    std::string s = id(g, i);
    u.licenses.push_back({"u1", s, {}});
    add_state(u, s, i == 0 ? std::optional<std::string>(id(p, 0)) : std::nullopt);
    if (i != 6) snap.skus.push_back(sku(s, "P" + std::to_string(i)));
  }
  auto add = [&](int i, owner o, bool trial) {
    snap.subscriptions.push_back(
        subscription("s" + std::to_string(i) + (o == owner::user ? "1" : "2"), id(g, i), o, trial));
  };
  add(0, owner::partner, false);
  add(1, owner::partner, false);
  add(2, owner::user, true);
  add(3, owner::user, false);
  add(4, owner::user, false);
  add(4, owner::organization, false);
  add(5, owner::organization, false);
  snap.rules.signup_skus.emplace(id(g, 5), "");
  add(6, owner::organization, false);  // not in subscribedSkus
  add(7, owner::organization, false);
  auto index = snap.index();
  auto verdicts = audit::classify(u, index);
  REQUIRE(verdicts.size() == 8);
  for (int i = 0; i < 8; ++i) {
    INFO("sku " << i);
    CHECK(verdicts[i].origin == expected[i]);
  }
  CHECK(verdicts[6].evidence == "not_in_subscribed_skus");
}
