#include "base/internal_error.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

TEST_CASE("an escaped exception becomes a one-line runtime error naming what failed and why") {
  auto const e = base::internal_error(std::make_exception_ptr(std::logic_error("bad state")), "storing a page");
  CHECK(e.message == "storing a page failed: internal error: bad state");
  CHECK(e.code == base::exit_code::runtime);
  auto const unknown = base::internal_error(std::make_exception_ptr(42), "scan");
  CHECK(unknown.message == "scan failed: internal error");
}
