// tests/e2e/idp_truth.hpp — what a calibration on the emulator must count: the pre-flight's prediction per user
// (from the findings CSV) against the status each push of the emulated identity provider got (GET /_sim/idp).
#pragma once

#include <map>
#include <string>

namespace e2e {

// user id → "refused" (a 403 or 400 predicted), "maybe" (only "may be refused"); users absent are unaffected.
std::map<std::string, std::string> predictions(const std::string& db);

// The confusion counts (docs/design.md §8 names) of predicted against pushes_json, {"<user id>": status, …}.
std::map<std::string, long> expected_counts(const std::map<std::string, std::string>& predicted,
                                            const std::string& pushes_json);

// The counts report --calibration --format json gives for db (all seven named in docs/design.md §8 but the
// status and unmatched ones), read from its output.
std::map<std::string, long> calibration_counts(const std::string& db);

}  // namespace e2e
