// graphsim/detail/tenant_slots.hpp — private: the positions of the tenant's SKUs (tenant_setup.cpp) and of the
// special users placed at low indices so that a 10-user tenant already shows every origin (user_gen.cpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace graphsim::detail {

namespace slot {
inline constexpr std::size_t e3 = 0, e5 = 1, ems = 2, pbi_pro = 3, teams_exploratory = 4, visio = 5, project = 6,
                             flow_free = 7, pbi_free = 8, e1_gone = 9, unknown_addon = 10, legacy_kiosk = 11;
}  // namespace slot

// Users who own self-service subscriptions (their ids are the subscriptions' ownerId).
namespace purchaser {
inline constexpr std::uint64_t pbi_pro_a = 0, teams_trial = 1, project = 4, pbi_pro_b = 9, e3_deleted = 5;
}  // namespace purchaser

// Users below this index are hand-placed (not in the clean profile).
inline constexpr std::uint64_t special_users = 12;

}  // namespace graphsim::detail
