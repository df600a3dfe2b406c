#include "base/internal_error.hpp"

#include <boost/asio/multiple_exceptions.hpp>

#include <fmt/format.h>

namespace base {

error internal_error(std::exception_ptr e, std::string_view what) {
  try {
    std::rethrow_exception(e);
  } catch (const boost::asio::multiple_exceptions& several) {
    // Concurrent branches (Asio's `&&`) that all failed: the first one is the cause, not "multiple exceptions".
    if (auto first = several.first_exception()) return internal_error(first, what);
    return runtime_error(fmt::format("{} failed: internal error: {}", what, several.what()));
  } catch (const std::exception& x) {
    return runtime_error(fmt::format("{} failed: internal error: {}", what, x.what()));
  } catch (...) {
    return runtime_error(fmt::format("{} failed: internal error", what));
  }
}

}  // namespace base
