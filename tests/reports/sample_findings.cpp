#include "sample_findings.hpp"

#include <fmt/format.h>

namespace reports_test {

storage::finding_record make_finding(int n, std::string upn, std::string display_name, std::string sku_part_number,
                                     std::string origin, std::string idp_outcome) {
  storage::finding_record f;
  f.tenant_id = "11111111-2222-3333-4444-555555555555";
  f.user_id = fmt::format("00000000-0000-0000-0000-{:012d}", n);
  f.user_principal_name = std::move(upn);
  f.display_name = std::move(display_name);
  f.account_enabled = true;
  f.user_type = "Member";
  f.department = "Sales";
  f.sku_part_number = std::move(sku_part_number);
  f.sku_id = f.sku_part_number == "POWER_BI_PRO" ? "f8a1db68-be16-40ed-86d5-cb42ce701560"
                                                 : "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235";
  f.product_name = f.sku_part_number == "POWER_BI_PRO" ? "Power BI Pro" : "Power BI (free)";
  f.origin = std::move(origin);
  f.confidence = "high";
  f.evidence = "subscription_user_owned;email_verified_user";
  f.assignment = "direct";
  f.subscription_ids = "sub-1;sub-2";
  f.owner_ids = f.user_id;
  f.owner_upns = f.user_principal_name;
  f.is_trial = false;
  f.idp_outcome = std::move(idp_outcome);
  f.recommended_action = "Ask the purchaser to release the seats";
  return f;
}

std::vector<storage::finding_record> hostile_findings() {
  std::vector<storage::finding_record> v;
  v.push_back(make_finding(1, "=cmd@contoso.com", "Smith, \"Bob\"", "POWER_BI_PRO", "self_service_purchase",
                           "removal_refused_403"));
  v.push_back(make_finding(2, "alice@contoso.com", "<script>alert(1)</script>", "POWER_BI_PRO", "partner_managed",
                           "removal_refused_403"));
  v.push_back(make_finding(2, "alice@contoso.com", "<script>alert(1)</script>", "POWER_BI_STANDARD",
                           "self_service_signup", "removal_may_be_refused"));
  v.push_back(make_finding(3, "bob@contoso.com", "two\nlines | *bold* _x_ `c` [l] #h", "POWER_BI_STANDARD",
                           "group_inherited", "removal_refused_400"));
  v.push_back(make_finding(4, "carol@contoso.com", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xF0\x9F\x98\x80 +1 @x",
                           "POWER_BI_STANDARD", "unattributed", "unaffected"));
  v.back().account_enabled.reset();
  v.back().is_trial.reset();
  v.back().department = "-R&D";
  v.back().owner_ids.clear();
  v.back().owner_upns.clear();
  v.back().owner_tenant_ids = "99999999-8888-7777-6666-555555555555";
  return v;
}

reports::finding_source source_of(const std::vector<storage::finding_record>& findings) {
  return [&findings](const reports::finding_fn& fn) -> base::result<void> {
    for (auto const& f : findings) fn(f);
    return {};
  };
}

}  // namespace reports_test
