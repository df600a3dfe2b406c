// The identity provider's events (`entra-audit ingest`): a table of their own, outside every snapshot, keyed by the
// event's identity so that an export ingested twice adds nothing.
#include "base/utc_time.hpp"
#include "storage/database.hpp"
#include "storage/detail/database_impl.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>

namespace storage {

base::result<idp_events_added> database::add_idp_events(std::span<const idp_event_record> events) {
  std::string const what = fmt::format("store the identity provider's events in '{}'", impl_->path);
  auto& d = *impl_;
  // The first copy of an event stays; sqlite3_changes then says whether this one was new. Not OR IGNORE: that
  // would also drop a row breaking a CHECK without a word.
  auto ins = d.prepared(schema::insert_sql(schema::table_named("idp_events"), schema::on_conflict::fail) +
                            " ON CONFLICT (event_id) DO NOTHING",
                        what);
  if (!ins) return ins.error();
  auto tx = detail::write_transaction::begin(d, what);
  if (!tx) return tx.error();
  std::string const stored_at = base::utc_iso_millis(std::chrono::system_clock::now());
  idp_events_added counts;
  for (const auto& e : events) {
    detail::statement& s = **ins;
    s.bind_text(1, e.event_id);
    s.bind_text(2, e.source);
    s.bind_text(3, e.observed_at);
    s.bind_text(4, e.outcome);
    s.bind_text(5, e.user_id);
    s.bind_text(6, e.user_principal_name);
    s.bind_optional_int(7, e.http_status ? std::optional<std::int64_t>(*e.http_status) : std::nullopt);
    s.bind_text(8, e.error_code);
    s.bind_text(9, e.error_message);
    s.bind_text(10, e.request_id);
    s.bind_text(11, e.event_type);
    s.bind_text(12, e.ingested_from);
    s.bind_text(13, stored_at);
    if (int const rc = s.run(); rc != SQLITE_OK) return d.failure(rc, what);
    if (sqlite3_changes(d.db) > 0) ++counts.added;
    else ++counts.already_stored;
  }
  if (auto r = tx->commit(what); !r) return r.error();
  return counts;
}

base::result<void> database::for_each_idp_event(const std::function<void(const idp_event_record&)>& fn) {
  std::string const what = fmt::format("read the identity provider's events in '{}'", impl_->path);
  auto s =
      impl_->prepared(schema::select_sql(schema::table_named("idp_events")) + " ORDER BY observed_at, event_id", what);
  if (!s) return s.error();
  detail::reset_on_exit guard(**s);
  int rc = SQLITE_ROW;
  while ((rc = (*s)->step()) == SQLITE_ROW) {
    auto const& r = **s;
    auto const status = r.optional_integer(6);
    fn({.event_id = r.text(0),
        .source = r.text(1),
        .observed_at = r.text(2),
        .outcome = r.text(3),
        .user_id = r.text(4),
        .user_principal_name = r.text(5),
        .http_status = status ? std::optional<int>(static_cast<int>(*status)) : std::nullopt,
        .error_code = r.text(7),
        .error_message = r.text(8),
        .request_id = r.text(9),
        .event_type = r.text(10),
        .ingested_from = r.text(11)});
  }
  if (rc != SQLITE_DONE) return impl_->failure(rc, what);
  return {};
}

}  // namespace storage
