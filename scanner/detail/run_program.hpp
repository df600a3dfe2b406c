// scanner/detail/run_program.hpp — runs an external program (the Azure CLI) without a shell, on the io_context: its
// output read as it comes, killed when it outlives its timeout. Internal to scanner/.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace scanner {

// What a finished program left.
struct program_result {
  bool not_found = false;  // it could not be started: not on PATH, or not executable
  bool timed_out = false;  // it ran past the timeout and was killed
  int exit_code = -1;      // -signal when killed by a signal
  std::string out, err;    // at most max_program_output bytes each
};

// Output beyond this is dropped: a token answer is a few KiB.
inline constexpr std::size_t max_program_output = std::size_t{1} << 20;

// Runs argv (argv[0] looked up on PATH; stdin is /dev/null; the environment is this process's) and waits for it
// without blocking the io_context; after timeout it is killed (SIGKILL) and reaped.
boost::asio::awaitable<program_result> run_program(boost::asio::any_io_executor ex, std::vector<std::string> argv,
                                                   std::chrono::milliseconds timeout);

}  // namespace scanner
