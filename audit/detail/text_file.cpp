#include "audit/detail/text_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace audit {

base::result<std::string> read_text_file(const std::string& path, std::string_view what) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return base::usage_error(
        fmt::format("cannot read {} '{}': {}", what, path, errno != 0 ? std::strerror(errno) : "cannot open it"));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return base::usage_error(fmt::format("cannot read {} '{}': read error", what, path));
  // std::string would also construct a base::error (C++20 aggregate parentheses): say which one.
  return base::result<std::string>{boost::system::in_place_value, text.str()};
}

}  // namespace audit
