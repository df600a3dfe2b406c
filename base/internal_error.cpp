#include "base/internal_error.hpp"

#include <fmt/format.h>

namespace base {

error internal_error(std::exception_ptr e, std::string_view what) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return runtime_error(fmt::format("{} failed: internal error: {}", what, x.what()));
  } catch (...) {
    return runtime_error(fmt::format("{} failed: internal error", what));
  }
}

}  // namespace base
