// storage/detail/schema.hpp — the one declaration of every table, index and view; SQL and docs/schema.md follow from
// it.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace storage::schema {

// The schema version this build writes (PRAGMA user_version); migrations.cpp moves older files forward.
inline constexpr int current_version = 6;

enum class affinity { integer, text };

// Whether a column may hold NULL (NULL then means "Graph did not say").
enum class nulls { refused, allowed };

// One column: NOT NULL unless its nulls are allowed.
struct column {
  std::string_view name;
  affinity type;
  std::string_view description;
  nulls null = nulls::refused;
  std::string_view check = {};  // a CHECK expression on the column, if any
};

// Where a table's rows live: a rowid B-tree, or the primary key's (no second index).
enum class layout { rowid, without_rowid };

// Whether a single integer key may be used again after its row is deleted (AUTOINCREMENT: never, even after prune).
enum class key_reuse { allowed, never };

// One table. A table whose first column is scan_id references scans and its rows go when their snapshot is pruned;
// the versions tables (no scan_id) go when no kept snapshot holds them, directly or through another version. A table
// with view_select is a view with the columns of a table (the tables of schema versions 3 and 5, now read over
// versions): created as a view, documented as a table.
struct table {
  std::string_view name;
  std::string_view description;
  std::span<const column> columns;
  std::span<const std::string_view> primary_key;  // empty: a rowid table
  layout rows = layout::rowid;
  key_reuse keys = key_reuse::allowed;
  std::span<const std::string_view> examples;  // example queries for docs/schema.md
  // A view: its SELECT, in which %REST% (if present) stands for view_alias.<column> of every column from view_lead
  // on.
  std::string_view view_select = {};
  std::size_t view_lead = 0;
  std::string_view view_alias = {};
  int view_since = 4;  // the schema version that replaced the table by this view

  bool is_view() const { return !view_select.empty(); }
  bool per_snapshot() const { return !is_view() && name != "scans" && columns[0].name == "scan_id"; }
};

// A secondary index: only where a read needs an order the primary key does not give.
struct index {
  std::string_view name;
  std::string_view table;
  std::string_view columns;  // SQL column list
  std::string_view why;
};

// A stable view for SQL users.
struct view {
  std::string_view name;
  std::string_view description;
  std::string_view select;  // the SELECT the view stands for
  std::span<const std::string_view> examples;
};

// Every table, in creation order (scans first: the others reference it).
std::span<const table> tables();
// Every secondary index.
std::span<const index> indexes();
// Every view, in creation order (later views may read earlier ones).
std::span<const view> views();
// The table named name; a programming error (assert) when there is none.
const table& table_named(std::string_view name);

// CREATE TABLE for t (STRICT; WITHOUT ROWID when declared so), or CREATE VIEW for a table that is a view.
std::string create_table_sql(const table& t);
std::string create_index_sql(const index& i);
std::string create_view_sql(const view& v);
// What an insert does with a row whose key is already stored: fail, or replace the stored row.
enum class on_conflict { fail, replace };

// INSERT [OR REPLACE] INTO t with one numbered parameter per column, in declaration order.
std::string insert_sql(const table& t, on_conflict conflict);

// SELECT of every column of t, in declaration order (so that column i is t.columns[i]), without a WHERE.
std::string select_sql(const table& t);

// docs/schema.md: every table, column, index and view with descriptions and example queries.
std::string markdown();

}  // namespace storage::schema
