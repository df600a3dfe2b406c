// scanner/detail/parse_batch.hpp — the JSON of POST /$batch (docs/graph.md §7): request bodies out, responses in.
#pragma once

#include "base/error.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace scanner {

// Graph refuses a batch of more than 20 requests.
inline constexpr std::size_t max_batch_items = 20;

// One GET inside a batch: a correlation id and a URL relative to the version root ("/users/{id}/licenseDetails").
struct batch_request_item {
  std::string id;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers = {};  // the item's own request headers, if any
};

// One answer inside a batch response.
struct batch_item_response {
  std::string id;
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;  // the item's JSON body as text (a string body as is; empty when absent)
  // The value of header name (lower-case), if present.
  std::optional<std::string_view> header(std::string_view name) const;
};

// The body of POST /$batch for up to max_batch_items GETs.
std::string batch_request_body(std::span<const batch_request_item> items);

// Parses a $batch response: items in the order given (correlate by id), header names lower-cased. Fails on a body
// that is not JSON, has no "responses" array, or holds an item without an id or an HTTP status.
base::result<std::vector<batch_item_response>> parse_batch_response(std::string_view body);

// The answer to each of the n requests of a batch whose ids were "1" to "n" (in that order), nullptr for one not
// answered; an answer with another id (not ours) or a second answer to a request is ignored.
std::vector<const batch_item_response*> answers_by_request(std::span<const batch_item_response> answers, std::size_t n);

}  // namespace scanner
