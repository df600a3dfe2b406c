#include "graphsim/detail/http_types.hpp"

#include "graphsim/detail/text.hpp"

namespace graphsim {

std::optional<std::string_view> sim_request::header(std::string_view lower_name) const {
  for (auto const& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

void sim_response::set_header(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string_view> sim_response::header(std::string_view name) const {
  for (auto const& [n, v] : headers)
    if (iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace graphsim
