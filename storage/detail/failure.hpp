// storage/detail/failure.hpp — one-line storage errors: "cannot <what>: <cause> — <fix>" (storage-internal).
#pragma once

#include "base/error.hpp"

#include <string_view>

struct sqlite3;

namespace storage::detail {

// The error for a failed SQLite call rc on db (db may be null): its cause and what the user can do about it.
base::error sqlite_failure(sqlite3* db, int rc, std::string_view what);

// The error for a failed system call (errno err) while preparing the database file.
base::error system_failure(int err, std::string_view what);

}  // namespace storage::detail
