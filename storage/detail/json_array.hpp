// storage/detail/json_array.hpp — a list of strings as JSON array text (disabled_plans columns; storage-internal).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace storage::detail {

// The JSON array text of items (["a","b"]; [] when empty), escaped per RFC 8259 so json_each() reads it.
std::string to_json_array(const std::vector<std::string>& items);

// The strings of a JSON array written by to_json_array (or any flat array of strings); malformed text yields
// the items read before the fault, since the column is only ever written by to_json_array.
std::vector<std::string> from_json_array(std::string_view json);

}  // namespace storage::detail
