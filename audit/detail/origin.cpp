#include "audit/detail/origin.hpp"

#include <array>
#include <utility>

namespace audit {
namespace {

constexpr std::array<std::pair<origin, std::string_view>, 8> origin_names{{
    {origin::group_inherited, "group_inherited"},
    {origin::partner_managed, "partner_managed"},
    {origin::self_service_trial, "self_service_trial"},
    {origin::self_service_purchase, "self_service_purchase"},
    {origin::mixed_ownership, "mixed_ownership"},
    {origin::self_service_signup, "self_service_signup"},
    {origin::unattributed, "unattributed"},
    {origin::organization, "organization"},
}};

}  // namespace

std::string_view to_string(origin o) {
  for (auto const& [value, name] : origin_names)
    if (value == o) return name;
  return "organization";
}

std::string_view to_string(confidence c) {
  switch (c) {
    case confidence::high:
      return "high";
    case confidence::medium:
      return "medium";
    case confidence::low:
      return "low";
    case confidence::none:
      return "";
  }
  return "";
}

std::string_view to_string(idp_outcome o) {
  switch (o) {
    case idp_outcome::unaffected:
      return "unaffected";
    case idp_outcome::removal_refused_403:
      return "removal_refused_403";
    case idp_outcome::removal_refused_400:
      return "removal_refused_400";
    case idp_outcome::removal_may_be_refused:
      return "removal_may_be_refused";
  }
  return "";
}

std::optional<origin> parse_origin(std::string_view name) {
  for (auto const& [value, n] : origin_names)
    if (n == name) return value;
  return std::nullopt;
}

confidence confidence_of(origin o) {
  switch (o) {
    case origin::group_inherited:
    case origin::self_service_trial:
    case origin::self_service_purchase:
      return confidence::high;
    case origin::partner_managed:
    case origin::mixed_ownership:
    case origin::self_service_signup:
      return confidence::medium;
    case origin::unattributed:
      return confidence::low;
    case origin::organization:
      return confidence::none;
  }
  return confidence::none;
}

idp_outcome removal_outcome(origin o) {
  switch (o) {
    case origin::partner_managed:
    case origin::self_service_trial:
    case origin::self_service_purchase:
      return idp_outcome::removal_refused_403;
    case origin::group_inherited:
      return idp_outcome::removal_refused_400;
    case origin::mixed_ownership:
    case origin::self_service_signup:
    case origin::unattributed:
      return idp_outcome::removal_may_be_refused;
    case origin::organization:
      return idp_outcome::unaffected;
  }
  return idp_outcome::unaffected;
}

}  // namespace audit
