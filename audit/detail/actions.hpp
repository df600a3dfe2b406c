// audit/detail/actions.hpp — what an administrator should do about a finding, in one or two concrete sentences.
#pragma once

#include "audit/detail/origin.hpp"
#include "storage/records.hpp"

#include <string>
#include <string_view>

namespace audit {

// The recommended action for a finding of origin o, naming its groups, owners or partner tenants from the record;
// override_reason (a rules-file reason) is quoted first when given. Empty for organization.
std::string recommended_action(origin o, const storage::finding_record& f, std::string_view override_reason = {});

}  // namespace audit
