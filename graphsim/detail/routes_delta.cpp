// GET /users/delta: an initial round over every user (then the ids of deleted users, as "@removed"), ending
// with a deltaLink; the deltaLink later lists the users changed (or deleted) since the round started.
#include "graphsim/detail/json_out.hpp"
#include "graphsim/detail/routes.hpp"
#include "graphsim/detail/tenant.hpp"

#include <algorithm>
#include <vector>

namespace graphsim {
namespace {

using namespace route_detail;

using json_out::key;
constexpr auto str = json_out::string;

// Where a delta request stands: the round's item list is the user indices [0, index_end) (deleted ones
// skipped) then removed ids (initial), or the sorted changed users (later rounds).
struct delta_round {
  page_kind kind = page_kind::delta_initial;
  std::uint64_t position = 0;
  std::uint64_t version = 0;  // the tenant version this round reports up to (the next deltaLink's)
  std::uint64_t since = 0;
  std::uint64_t page = 1;  // of the round's chain
};

void write_removed(json_writer& w, std::string_view id) {
  w.StartObject();
  key(w, "id"), str(w, id);
  key(w, "@removed");
  w.StartObject();
  key(w, "reason"), str(w, "deleted");
  w.EndObject();
  w.EndObject();
}

}  // namespace

route_result users_delta(route_context const& c) {
  odata_query const& q = c.q;
  if (auto bad = check_user_select(q, true)) return *bad;
  auto size = page_size(q);
  if (!size) return size.error();
  std::uint64_t const shape = q.shape_hash();
  delta_round round;
  if (q.skiptoken) {
    auto token = c.codec.open(*q.skiptoken);
    if (!token || token->query_hash != shape ||
        (token->kind != page_kind::delta_initial && token->kind != page_kind::delta_changes) ||
        page_token_expired(c, token->page))
      return expired_page_token();
    round = {token->kind, token->position, token->version, token->since, token->page};
  } else if (q.deltatoken) {
    auto token = c.codec.open(*q.deltatoken);
    if (!token || token->query_hash != shape || token->kind != page_kind::delta_link)
      return graph_failure{400, "syncStateNotFound", "The sync state is not found. Please restart the sync."};
    round = {page_kind::delta_changes, 0, c.t.version(), token->version, 1};
  } else {
    round = {page_kind::delta_initial, 0, c.t.version(), 0, 1};
  }

  std::vector<std::uint64_t> changed;
  std::vector<std::string> removed;
  std::uint64_t total = 0;
  if (round.kind == page_kind::delta_initial) {
    removed = c.t.removed_user_ids();
    total = c.t.index_end() + removed.size();
  } else {
    changed = c.t.changed_since(round.since);
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    total = changed.size();
  }
  std::uint64_t const end = std::min<std::uint64_t>(total, round.position + *size);

  rapidjson::StringBuffer buffer(nullptr, std::max<std::uint64_t>(end - std::min(end, round.position), 1) * 1024);
  json_writer w(buffer);
  w.StartObject();
  key(w, "@odata.context"), str(w, context_url(c, users_fragment(q)));
  if (end < total) {
    page_token next{round.kind, end, round.version, round.since, shape, round.page + 1};
    key(w, "@odata.nextLink"), str(w, link(c, "/v1.0/users/delta", "$skiptoken", c.codec.seal(next)));
  } else {
    page_token done{page_kind::delta_link, 0, round.version, 0, shape, 0};
    key(w, "@odata.deltaLink"), str(w, link(c, "/v1.0/users/delta", "$deltatoken", c.codec.seal(done)));
  }
  key(w, "value");
  w.StartArray();
  std::uint64_t items = 0;
  for (std::uint64_t p = round.position; p < end; ++p) {
    if (round.kind == page_kind::delta_changes) {
      if (c.t.exists(changed[p])) c.t.write_user(changed[p], q.select, w);
      else write_removed(w, c.t.object_id(changed[p]));
    } else if (p < c.t.index_end()) {
      if (!c.t.exists(p)) continue;  // deleted since: listed among the removed ids
      c.t.write_user(p, q.select, w);
    } else {
      write_removed(w, removed[p - c.t.index_end()]);
    }
    ++items;
  }
  w.EndArray();
  w.EndObject();
  sim_response res;
  res.body.assign(buffer.GetString(), buffer.GetSize());
  res.items = items;
  return res;
}

}  // namespace graphsim
