// reports/detail/output_file.hpp — a buffered report output: stdout, or a file with mode 0600 that appears whole or not
// at all (written to a temporary file beside it, then renamed).
#pragma once

#include "base/error.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace reports {

// Where a renderer writes. Writes are buffered; the first failure is remembered and reported by commit(), so
// renderers need not check every write (a full disk fails the report once, naming the path).
class output_file {
 public:
  // Opens path for writing (empty or "-" = stdout). Fails with a one-line error naming the path and the fix:
  // exit 2 when the path cannot exist (missing directory, a directory, a file as a directory), else exit 1.
  static base::result<output_file> open(const std::string& path);

  output_file(output_file&&) noexcept;
  output_file& operator=(output_file&&) noexcept;
  // Removes the temporary file when commit() was not called or failed.
  ~output_file();

  // Appends bytes to the buffer, flushing it when full.
  void write(std::string_view bytes);
  // Appends one byte (RapidJSON writes byte by byte).
  void put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= flush_at) flush_buffer();
  }
  // The buffer renderers may append to directly (flushed by the next write or by commit()).
  std::string& buffer() { return buffer_; }
  // Flushes when the buffer is over its threshold; call after appending to buffer().
  void maybe_flush() {
    if (buffer_.size() >= flush_at) flush_buffer();
  }

  // Flushes, syncs and closes; for a file, renames the temporary file onto the path.
  base::result<void> commit();

  // The path as given ("-" for stdout).
  const std::string& path() const { return path_; }

 private:
  // 64 KiB: large enough that syscalls do not dominate, small enough to keep memory flat.
  static constexpr std::size_t flush_at = 64 * 1024;

  output_file() = default;
  void flush_buffer();

  std::string path_;
  std::string temp_path_;  // empty for stdout
  int fd_ = -1;
  int error_ = 0;  // first errno seen while writing
  bool committed_ = false;
  std::string buffer_;
};

// One line for a failed open/write of path with errno err: what, why and the fix; exit 2 for paths that
// cannot exist, 1 otherwise.
base::error output_error(std::string_view action, const std::string& path, int err);

// RapidJSON's output-stream concept over an output_file (Put/Flush), for streaming JSON.
struct json_stream {
  using Ch = char;
  output_file* out;
  void Put(char c) { out->put(c); }
  void Flush() {}
};

}  // namespace reports
