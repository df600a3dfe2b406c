// base/error.hpp — the error value every layer returns for expected failures.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <utility>

namespace base {

// Process exit codes fixed by docs/design.md §2.5.
enum class exit_code : int { success = 0, runtime = 1, usage = 2, findings = 3 };

// What a remote service (Graph, the token endpoint) answered when a failure is its answer: the fields callers
// decide on, so that no decision reads the message's wording.
struct service_reply {
  unsigned http_status = 0;  // the final HTTP status; 0 when no answer was received (timeout, reset, refused)
  std::string code;          // Graph's error.code, e.g. "Directory_ExpiredPageToken", or the login service's
                             // "AADSTS<n>" (else its OAuth error); may be empty
  std::string request_id;    // the request-id header (or the body's innerError), for Microsoft support
};

// An expected failure: one line for a person (what failed, why, how to fix), the exit code it maps to, and the
// service's answer when there was one.
struct error {
  std::string message;
  exit_code code = exit_code::runtime;
  service_reply reply;
};

// Builds a runtime failure (exit 1) from its one-line message.
inline error runtime_error(std::string message) { return {std::move(message), exit_code::runtime, {}}; }

// Builds a runtime failure (exit 1) that is a service's answer.
inline error service_error(std::string message, service_reply reply) {
  return {std::move(message), exit_code::runtime, std::move(reply)};
}

// Builds a usage or configuration failure (exit 2) from its one-line message.
inline error usage_error(std::string message) { return {std::move(message), exit_code::usage, {}}; }

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
