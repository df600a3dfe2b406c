// base/internal_error.hpp — the one-line error for an exception that escaped a coroutine (a programming error).
#pragma once

#include "base/error.hpp"

#include <exception>
#include <string_view>

namespace base {

// "<what> failed: internal error: <the exception's what()>" (exit 1), for e (not null).
error internal_error(std::exception_ptr e, std::string_view what);

}  // namespace base
