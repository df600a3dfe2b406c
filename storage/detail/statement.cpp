#include "storage/detail/statement.hpp"

#include <sqlite3.h>

#include <utility>

namespace storage::detail {

statement::statement(statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

statement::~statement() { sqlite3_finalize(stmt_); }

int statement::prepare(sqlite3* db, std::string_view sql, bool persistent, statement& out) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  // sqlite3_prepare_v3 may leave a statement behind even on failure; the RAII holder owns it either way.
  out = statement{};
  out.stmt_ = raw;
  return rc;
}

void statement::bind_text(int index, std::string_view text) {
  // SQLITE_STATIC: the callers' strings live until the step that reads them; copying 1M rows would cost.
  // An empty string_view may have a null data(), which SQLite would bind as NULL, not as ''.
  const char* data = text.data() != nullptr ? text.data() : "";
  sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_STATIC);
}

void statement::bind_optional_text(int index, const std::optional<std::string>& text) {
  if (text) bind_text(index, *text);
  else bind_null(index);
}

void statement::bind_int(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void statement::bind_optional_int(int index, std::optional<std::int64_t> value) {
  if (value) bind_int(index, *value);
  else bind_null(index);
}

void statement::bind_bool(int index, std::optional<bool> value) {
  if (value) bind_int(index, *value ? 1 : 0);
  else bind_null(index);
}

void statement::bind_null(int index) { sqlite3_bind_null(stmt_, index); }

int statement::step() { return sqlite3_step(stmt_); }

int statement::run() {
  int rc = SQLITE_ROW;
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt_);
  reset();
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void statement::reset() noexcept {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string_view statement::text_view(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (p == nullptr) return {};
  // sqlite3_column_bytes after sqlite3_column_text gives the length of that UTF-8 text (NULs included).
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string statement::text(int column) const { return std::string(text_view(column)); }

std::optional<std::string> statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

std::int64_t statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::optional<bool> statement::boolean(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column) != 0;
}

bool statement::busy() const { return stmt_ != nullptr && sqlite3_stmt_busy(stmt_) != 0; }

bool statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

}  // namespace storage::detail
