#include "base/error.hpp"

namespace base {

void throw_exception_from_error(error const& e, boost::source_location const&) { throw error_exception(e); }

}  // namespace base
