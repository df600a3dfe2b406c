#include "base/error.hpp"

#include <doctest/doctest.h>

TEST_CASE("a usage error maps to exit code 2 and a runtime error to 1") {
  CHECK(base::usage_error("x").code == base::exit_code::usage);
  CHECK(static_cast<int>(base::runtime_error("x").code) == 1);
}

TEST_CASE("calling value() on a failed result throws the error's message") {
  base::result<int> r = base::runtime_error("cannot open database 'x': disk full");
  CHECK_THROWS_WITH(r.value(), "cannot open database 'x': disk full");
}
