// storage/detail/replace_rows.hpp — what a scan reads whole and stores with its snapshot (doors, groups), replaced in
// one transaction (storage-internal).
#pragma once

#include "storage/detail/database_impl.hpp"
#include "storage/detail/schema.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <span>
#include <string_view>

namespace storage::detail {

// Replaces the rows of table (keyed by scan_id first) that a running or interrupted snapshot holds by rows, in one
// write transaction; bind(statement, row) fills each insert's parameters from 2 on. Replacing, not adding: a resumed
// scan reads them again.
template <class Row, class Bind>
base::result<void> replace_running_rows(connection& d, std::int64_t scan_id, std::string_view table,
                                        std::span<const Row> rows, std::string_view what, Bind bind) {
  auto ins = d.prepared(schema::insert_sql(schema::table_named(table), schema::on_conflict::replace), what);
  auto del = d.prepared(fmt::format("DELETE FROM {} WHERE scan_id = ?1", table), what);
  for (auto* r : {&ins, &del})
    if (!*r) return r->error();
  auto tx = write_transaction::begin(d, what);
  if (!tx) return tx.error();
  if (auto running = require_running(d, scan_id, what); !running) return running;
  (*del)->bind_int(1, scan_id);
  if (int const rc = (*del)->run(); rc != SQLITE_OK) return d.failure(rc, what);
  for (const auto& row : rows) {
    statement& s = **ins;
    s.bind_int(1, scan_id);
    bind(s, row);
    if (int const rc = s.run(); rc != SQLITE_OK) return d.failure(rc, what);
  }
  return tx->commit(what);
}

}  // namespace storage::detail
