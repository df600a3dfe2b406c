#include "support.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace test_support {

temp_dir::temp_dir() {
  std::random_device rd;
  auto const base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto candidate = base / ("entra-audit-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

// The name of a NAME=VALUE entry, with its '='.
std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=') + 1); }

std::vector<std::string> child_environment(const std::vector<std::string>& env) {
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view const entry(*e);
    // Nothing of the machine's Azure identity reaches the binary under test: its managed identity variables
    // would point it at a real endpoint (docs/security.md).
    if (entry.starts_with("AZURE_") || entry.starts_with("ENTRA_AUDIT_") || entry.starts_with("HTTPS_PROXY") ||
        entry.starts_with("https_proxy") || entry.starts_with("IDENTITY_ENDPOINT=") ||
        entry.starts_with("IDENTITY_HEADER=") || entry.starts_with("IMDS_ENDPOINT=") ||
        entry.starts_with("MSI_ENDPOINT=") || entry.starts_with("MSI_SECRET="))
      continue;
    bool replaced = false;  // a test's own value wins: getenv would return the first of two
    for (auto const& mine : env) replaced = replaced || name_of(mine) == name_of(entry);
    if (!replaced) env_storage.emplace_back(entry);
  }
  // Test-only: the binary never connects to a non-loopback identity endpoint (IMDS at 169.254.169.254) in a test.
  env_storage.emplace_back("ENTRA_AUDIT_TEST_NO_IMDS=1");
  for (auto const& mine : env)
    if (!mine.starts_with("ENTRA_AUDIT_TEST_NO_IMDS=")) env_storage.push_back(mine);
  return env_storage;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

child_process::child_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                             const std::filesystem::path& out_path, const std::filesystem::path& err_path) {
  std::vector<std::string> argv_storage{ENTRA_AUDIT_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  auto argv = pointers(argv_storage);
  auto env_storage = child_environment(env);
  auto envp = pointers(env_storage);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int const rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + argv[0] + ": " + std::strerror(rc));
}

child_process::~child_process() {
  if (!done_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

void child_process::kill(int signal) {
  if (!done_) ::kill(pid_, signal);
}

int child_process::wait() {
  if (!done_) {
    waitpid(pid_, &status_, 0);
    done_ = true;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

bool child_process::running() {
  if (done_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) done_ = true;
  return !done_;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, cell_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      quoted = true;
      cell_started = true;
    } else if (c == ',') {
      row.push_back(std::move(cell));
      cell.clear();
      cell_started = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      row.push_back(std::move(cell));
      rows.push_back(std::move(row));
      row.clear();
      cell.clear();
      cell_started = false;
    } else {
      cell += c;
      cell_started = true;
    }
  }
  if (cell_started || !cell.empty() || !row.empty()) {
    row.push_back(std::move(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

run_result run_entra_audit(const std::vector<std::string>& args, const std::vector<std::string>& env, int timeout_s) {
  std::vector<std::string> argv_storage{ENTRA_AUDIT_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto env_storage = child_environment(env);
  auto envp = pointers(env_storage);

  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int const rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + argv[0] + ": " + std::strerror(rc));

  run_result result;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto const left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t const n = read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        } else {
          (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
        }
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

stderr_capture::stderr_capture() {
  std::fflush(stderr);
  saved_ = ::dup(2);
  int const fd = ::open((dir_ / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (saved_ < 0 || fd < 0) throw std::runtime_error("cannot capture stderr");
  ::dup2(fd, 2);
  ::close(fd);
}

stderr_capture::~stderr_capture() {
  std::fflush(stderr);
  ::dup2(saved_, 2);
  ::close(saved_);
}

std::string stderr_capture::text() const {
  std::fflush(stderr);
  return read_file(dir_ / "stderr");
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  int const fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + p.string());
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t const n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace test_support
