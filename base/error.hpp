// base/error.hpp — the error value every layer returns for expected failures.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace base {

// Process exit codes fixed by DESIGN.md §2.
enum class exit_code : int { success = 0, runtime = 1, usage = 2, findings = 3 };

// An expected failure: one line for a person (what failed, why, how to fix) and the exit code it maps to.
struct error {
  std::string message;
  exit_code code = exit_code::runtime;
};

// Builds a runtime failure (exit 1) from its one-line message.
inline error runtime_error(std::string message) { return {std::move(message), exit_code::runtime}; }

// Builds a usage or configuration failure (exit 2) from its one-line message.
inline error usage_error(std::string message) { return {std::move(message), exit_code::usage}; }

// Thrown only when code calls value() on a failed result: that is a programming error, caught by main.
struct error_exception : std::exception {
  base::error error;
  explicit error_exception(base::error e) : error(std::move(e)) {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

// Lets boost::system::result<T, base::error>::value() throw (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(error const& e, boost::source_location const& loc);

template <class T>
using result = boost::system::result<T, error>;

}  // namespace base
