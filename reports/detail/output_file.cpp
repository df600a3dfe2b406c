#include "reports/detail/output_file.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace reports {

namespace {

bool is_stdout(const std::string& path) { return path.empty() || path == "-"; }

// The directory part of path ("." when there is none), where the temporary file must live for rename to be atomic.
std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

base::error output_error(std::string_view action, const std::string& path, int err) {
  // A path that cannot exist is a mistake in the command line (exit 2); a path that exists but refuses the
  // write is a runtime condition of this machine (exit 1): permissions, read-only mount, full disk.
  switch (err) {
    case ENOENT:
      return base::usage_error(
          fmt::format("cannot {} '{}': directory '{}' does not exist (create it or choose another --out)", action, path,
                      directory_of(path)));
    case ENOTDIR:
      return base::usage_error(
          fmt::format("cannot {} '{}': a part of the path is not a directory (choose another --out)", action, path));
    case EISDIR:
      return base::usage_error(fmt::format(
          "cannot {} '{}': it is a directory (give a file name, e.g. '{}/findings.csv')", action, path, path));
    case ENAMETOOLONG:
      return base::usage_error(
          fmt::format("cannot {} '{}': the name is too long (choose a shorter --out)", action, path));
    case EACCES:
    case EPERM:
      return base::runtime_error(
          fmt::format("cannot {} '{}': permission denied (make '{}' writable or choose another --out)", action, path,
                      directory_of(path)));
    case EROFS:
      return base::runtime_error(
          fmt::format("cannot {} '{}': read-only file system (choose another --out)", action, path));
    case ENOSPC:
    case EDQUOT:
      return base::runtime_error(
          fmt::format("cannot {} '{}': no space left on device (free space or choose another --out)", action, path));
    default:
      return base::runtime_error(
          fmt::format("cannot {} '{}': {} (check the path or choose another --out)", action, path, std::strerror(err)));
  }
}

base::result<output_file> output_file::open(const std::string& path) {
  output_file out;
  out.buffer_.reserve(flush_at + 4096);
  if (is_stdout(path)) {
    out.path_ = "-";
    out.fd_ = STDOUT_FILENO;
    return out;
  }
  out.path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return output_error("write report", path, EISDIR);

  // mkstemp creates the file with mode 0600 and O_EXCL, so nobody else can open it in between; the name
  // starts with '.' so a half-written report is not mistaken for a finished one while it is being written.
  const auto p = std::filesystem::path(path);
  std::string templ = (p.parent_path() / ("." + p.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) return output_error("write report", path, errno);
  out.fd_ = fd;
  out.temp_path_ = std::move(templ);
  return out;
}

output_file::output_file(output_file&& o) noexcept
    : path_(std::move(o.path_)),
      temp_path_(std::move(o.temp_path_)),
      fd_(std::exchange(o.fd_, -1)),
      error_(o.error_),
      committed_(o.committed_),
      buffer_(std::move(o.buffer_)) {
  o.temp_path_.clear();
}

output_file& output_file::operator=(output_file&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
    if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
    path_ = std::move(o.path_);
    temp_path_ = std::exchange(o.temp_path_, std::string());
    fd_ = std::exchange(o.fd_, -1);
    error_ = o.error_;
    committed_ = o.committed_;
    buffer_ = std::move(o.buffer_);
  }
  return *this;
}

output_file::~output_file() {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void output_file::write(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.size() >= flush_at) flush_buffer();
}

void output_file::flush_buffer() {
  if (error_ == 0) {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
  }
  // After a failure the rest is dropped: commit() reports the error and the temporary file is removed.
  buffer_.clear();
}

base::result<void> output_file::commit() {
  flush_buffer();
  if (fd_ == STDOUT_FILENO) {
    if (error_ != 0) {
      if (error_ == EPIPE) return base::runtime_error("cannot write report to stdout: the reader closed the pipe");
      return base::runtime_error(fmt::format("cannot write report to stdout: {}", std::strerror(error_)));
    }
    committed_ = true;
    return {};
  }
  if (error_ == 0 && ::fsync(fd_) != 0 && errno != EINVAL) error_ = errno;
  if (::close(fd_) != 0 && error_ == 0) error_ = errno;
  fd_ = -1;
  if (error_ != 0) return output_error("write report", path_, error_);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return output_error("write report", path_, errno);
  committed_ = true;
  return {};
}

}  // namespace reports
