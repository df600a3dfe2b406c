// GET /v1.0/policies/authorizationPolicy and GET /beta/admin/appsAndServices: the tenant settings behind the
// doors (docs/graph.md §15), from `sim --door` and the nights since, in the response shapes of Microsoft's examples.
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace graphsim {
namespace {

sim_response json_response(rapidjson::StringBuffer const& buffer) {
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  res.content_type = "application/json";
  return res;
}

}  // namespace

route_result get_authorization_policy(route_context const& c) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  std::string const ctx = route_detail::context_url(c, "policies/authorizationPolicy/$entity");
  w.StartObject();
  w.Key("@odata.context"), w.String(ctx.c_str());
  w.Key("id"), w.String("authorizationPolicy");
  w.Key("allowInvitesFrom"), w.String("everyone");
  w.Key("allowedToSignUpEmailBasedSubscriptions"), w.Bool(c.t.doors().signup_email_subscriptions);
  w.Key("allowedToUseSSPR"), w.Bool(true);
  w.Key("allowEmailVerifiedUsersToJoinOrganization"), w.Bool(c.t.doors().email_verified_join);
  w.Key("allowUserConsentForRiskyApps"), w.Bool(false);
  w.Key("blockMsolPowerShell"), w.Null();
  w.Key("displayName"), w.String("Authorization Policy");
  w.Key("description"), w.String("Used to manage authorization related settings across the company.");
  w.EndObject();
  return json_response(buffer);
}

route_result get_apps_and_services(route_context const& c) {
  // The documented example wraps the object in "value" although it is a single entity; the scanner reads both.
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("value");
  w.StartObject();
  w.Key("@odata.type"), w.String("#microsoft.graph.adminAppsAndServices");
  w.Key("id"), w.String(c.t.tenant_id().c_str());
  w.Key("settings");
  w.StartObject();
  w.Key("@odata.type"), w.String("microsoft.graph.appsAndServicesSettings");
  w.Key("isOfficeStoreEnabled"), w.Bool(c.t.doors().office_store);
  w.Key("isAppAndServicesTrialEnabled"), w.Bool(c.t.doors().trials);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return json_response(buffer);
}

}  // namespace graphsim
