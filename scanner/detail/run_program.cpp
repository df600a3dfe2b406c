#include "scanner/detail/run_program.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace scanner {

namespace net = boost::asio;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Reads a pipe to its end, keeping at most max_program_output bytes.
net::awaitable<std::string> read_all(net::posix::stream_descriptor& pipe) {
  std::string out;
  std::array<char, 4096> chunk{};
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(net::buffer(chunk), use_tuple);
    if (n > 0 && out.size() < max_program_output)
      out.append(chunk.data(), std::min(n, max_program_output - out.size()));
    if (ec) break;  // end of file, or the program was killed
  }
  co_return out;
}

struct fd_pair {
  int fd[2] = {-1, -1};
  ~fd_pair() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
};

}  // namespace

net::awaitable<program_result> run_program(net::any_io_executor ex, std::vector<std::string> argv,
                                           std::chrono::milliseconds timeout) {
  program_result result;
  fd_pair out, err;
  if (::pipe2(out.fd, O_CLOEXEC) != 0 || ::pipe2(err.fd, O_CLOEXEC) != 0) {
    result.not_found = true;
    co_return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  // Nothing else of ours reaches the child: not the database, its lock, nor a connection.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int const rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.not_found = true;
    co_return result;
  }
  // Only the child writes: our copies of the write ends must close, or the reads never see the end.
  ::close(out.fd[1]), out.fd[1] = -1;
  ::close(err.fd[1]), err.fd[1] = -1;
  net::posix::stream_descriptor out_pipe(ex, out.fd[0]), err_pipe(ex, err.fd[0]);
  out.fd[0] = err.fd[0] = -1;  // owned by the descriptors now

  net::steady_timer deadline(ex, timeout);
  // Shared with the timer's handler, which may already be queued when this coroutine ends.
  struct watch {
    bool killed = false;
    bool reaped = false;
  };
  auto state = std::make_shared<watch>();
  deadline.async_wait([state, pid](boost::system::error_code ec) {
    if (ec || state->reaped) return;
    state->killed = true;
    ::kill(pid, SIGKILL);  // closes its pipes: the reads below end
  });
  using namespace boost::asio::experimental::awaitable_operators;
  auto reading_out = read_all(out_pipe);
  auto reading_err = read_all(err_pipe);
  auto [stdout_text, stderr_text] = co_await (std::move(reading_out) && std::move(reading_err));
  result.out = std::move(stdout_text);
  result.err = std::move(stderr_text);
  // The pipes are closed, so it has exited or is about to; a child that closed them and lingers is killed at the
  // deadline. Poll without blocking the io_context.
  int status = 0;
  for (;;) {
    pid_t const done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    net::steady_timer pause(ex, std::chrono::milliseconds(10));
    co_await pause.async_wait(use_tuple);
  }
  state->reaped = true;
  deadline.cancel();
  result.timed_out = state->killed;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  co_return result;
}

}  // namespace scanner
