// graphsim/detail/replay_answers.hpp — the answers of a replay (docs/capture.md, "Replay"): a captured exchange served
// again, a request the capture does not hold, and $batch requests matched on their items. Internal to graphsim/.
#pragma once

#include "graphsim/detail/http_types.hpp"
#include "graphsim/detail/replay_capture.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace graphsim {

// body with the capture's origin placeholders replaced by root (the replay server's own), so nextLinks lead back.
std::string with_root(std::string body, const captured_run& run, std::string_view root);

// x served again to req: its status, headers (framing ones excepted; client-request-id echoed) and body; an attempt
// that had no answer is a connection reset; a body the capture did not keep is not_in_capture.
sim_response captured_answer(const captured_run& run, const captured_exchange& x, const sim_request& req,
                             std::string_view root);

// 404 with Graph's error body saying that what (e.g. "GET /v1.0/users?…") is not in the capture, and why.
sim_response not_in_capture(std::string_view what, std::string_view why, const sim_request& req);

// Serves the captured attempts of one kind in capture order, the last one again and again.
struct replay_cursor {
  std::vector<std::size_t> exchanges;  // indexes into captured_run::exchanges
  std::size_t served = 0;
  // The next one to serve (exchanges must not be empty).
  std::size_t next();
};

// $batch requests, matched on their items (docs/capture.md): the first captured batch with the same items (as a
// multiset of method + decoded URL; ids remapped to the request's), else an envelope assembled item by item from
// every captured batch's item answers, in capture order, the last one repeating.
class replay_batches {
 public:
  explicit replay_batches(const captured_run& run);
  // The answer to req (a POST /$batch); the keys of the items the capture does not hold are appended to misses.
  sim_response answer(const sim_request& req, std::string_view root, std::vector<std::string>& misses);

 private:
  void load_items();

  const captured_run& run_;
  std::unordered_map<std::string, replay_cursor> by_items_;                 // items key → batches with those items
  std::unordered_map<std::string, std::vector<std::string>> item_answers_;  // item key → captured item answers (JSON)
  std::unordered_map<std::string, std::size_t> item_served_;                // item key → answers served so far
  bool items_loaded_ = false;
};

}  // namespace graphsim
