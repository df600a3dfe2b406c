#include "base/internal_error.hpp"

#include <boost/asio/multiple_exceptions.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

TEST_CASE("an escaped exception becomes a one-line runtime error naming what failed and why") {
  auto const e = base::internal_error(std::make_exception_ptr(std::logic_error("bad state")), "storing a page");
  CHECK(e.message == "storing a page failed: internal error: bad state");
  CHECK(e.code == base::exit_code::runtime);
  auto const unknown = base::internal_error(std::make_exception_ptr(42), "scan");
  CHECK(unknown.message == "scan failed: internal error");
}

TEST_CASE("concurrent branches that all failed are reported by the first one's cause, not 'multiple exceptions'") {
  auto const first = std::make_exception_ptr(std::length_error("field value too large"));
  auto const e = base::internal_error(std::make_exception_ptr(boost::asio::multiple_exceptions(first)), "scan");
  CHECK(e.message == "scan failed: internal error: field value too large");
}
