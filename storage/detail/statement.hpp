// storage/detail/statement.hpp — RAII sqlite3_stmt: prepared once, bound, stepped, read, reset (storage-internal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The C API's opaque handles; <sqlite3.h> stays inside storage/*.cpp.
struct sqlite3;
struct sqlite3_stmt;

namespace storage::detail {

// One prepared statement. Text is bound without copying: it must outlive the next step().
class statement {
 public:
  statement() = default;
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  // Prepares sql on db (persistent: kept and reused for the life of the connection); returns the SQLite code.
  static int prepare(sqlite3* db, std::string_view sql, bool persistent, statement& out);

  // Binders take the 1-based parameter index (SQLite's leftmost parameter is 1).
  void bind_text(int index, std::string_view text);
  void bind_optional_text(int index, const std::optional<std::string>& text);
  void bind_int(int index, std::int64_t value);
  void bind_optional_int(int index, std::optional<std::int64_t> value);
  void bind_bool(int index, std::optional<bool> value);  // nullopt binds NULL
  void bind_null(int index);

  // Runs one step: SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  // Steps a statement that returns no rows (or whose rows are ignored) to its end; the SQLite code.
  int run();
  // Rewinds and clears the bindings, ending any read transaction the statement held.
  void reset() noexcept;

  // Column readers take the 0-based column index; NULL reads as empty / zero / nullopt.
  std::string text(int column) const;
  std::string_view text_view(int column) const;  // valid until the next step() or reset()
  std::optional<std::string> optional_text(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::optional<bool> boolean(int column) const;
  bool is_null(int column) const;

  // True while a cursor is between its first step() and its reset().
  bool busy() const;

  sqlite3_stmt* get() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, even by exception from a caller's callback, so that an abandoned
// cursor never pins a read transaction (which would stop WAL checkpoints) or dangling text bindings.
class reset_on_exit {
 public:
  explicit reset_on_exit(statement& s) : s_(s) {}
  reset_on_exit(const reset_on_exit&) = delete;
  reset_on_exit& operator=(const reset_on_exit&) = delete;
  ~reset_on_exit() { s_.reset(); }

 private:
  statement& s_;
};

}  // namespace storage::detail
