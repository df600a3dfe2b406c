#include "scanner/detail/parse_doors.hpp"

#include "scanner/detail/json_read.hpp"

#include <fmt/core.h>

namespace scanner {
namespace {

constexpr std::string_view policy_source = "GET /v1.0/policies/authorizationPolicy";
constexpr std::string_view apps_source = "GET /beta/admin/appsAndServices";

// How a JSON value that should have been a Boolean was sent, for a door's note.
std::string_view type_name(const json::value& v) {
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  return "another type";
}

storage::door_record door_of(std::string_view door, const json::value& obj, std::string_view key,
                             std::string_view source) {
  storage::door_record out;
  out.door = door;
  out.source = source;
  auto const value = json::optional_bool(obj, key);
  if (!value) {
    out.state = "unknown";
    auto const* given = json::member(obj, key);
    out.note = given == nullptr || given->IsNull()
                   ? fmt::format("Graph did not return {}", key)
                   : fmt::format("Graph returned {} as {}, not true or false", key, type_name(*given));
    return out;
  }
  out.state = *value ? "open" : "closed";
  out.setting = *value ? "true" : "false";
  return out;
}

}  // namespace

base::result<std::vector<storage::door_record>> parse_authorization_policy(std::string_view body) {
  constexpr std::string_view what = "authorizationPolicy";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error("cannot read authorizationPolicy: the body is not a JSON object");
  // The v1.0 resource is one object; a collection wrapper (as some tenants' beta answers) holds it first.
  const json::value* policy = &doc;
  if (auto const* items = json::member(doc, "value"); items != nullptr && items->IsArray() && !items->Empty())
    policy = &(*items)[0];
  return std::vector<storage::door_record>{
      door_of("signup", *policy, "allowedToSignUpEmailBasedSubscriptions", policy_source),
      door_of("email_verified_join", *policy, "allowEmailVerifiedUsersToJoinOrganization", policy_source)};
}

base::result<std::vector<storage::door_record>> parse_apps_and_services(std::string_view body) {
  constexpr std::string_view what = "appsAndServices";
  rapidjson::Document doc;
  if (auto parsed = json::parse(doc, body, what); !parsed) return parsed.error();
  if (!doc.IsObject()) return base::runtime_error("cannot read appsAndServices: the body is not a JSON object");
  const json::value* entity = &doc;
  if (auto const* wrapped = json::member(doc, "value"); wrapped != nullptr && wrapped->IsObject()) entity = wrapped;
  static const json::value empty_object(rapidjson::kObjectType);
  auto const* settings = json::member(*entity, "settings");
  if (settings != nullptr && !settings->IsObject() && !settings->IsNull()) {
    // Both doors unknown, saying what came instead of the object.
    std::vector<storage::door_record> doors;
    for (std::string_view door : {"trials", "office_store"}) {
      storage::door_record d;
      d.door = door;
      d.source = apps_source;
      d.state = "unknown";
      d.note = fmt::format("Graph returned settings as {}, not an object", type_name(*settings));
      doors.push_back(std::move(d));
    }
    return doors;
  }
  if (settings == nullptr || !settings->IsObject()) settings = &empty_object;
  return std::vector<storage::door_record>{door_of("trials", *settings, "isAppAndServicesTrialEnabled", apps_source),
                                           door_of("office_store", *settings, "isOfficeStoreEnabled", apps_source)};
}

}  // namespace scanner
