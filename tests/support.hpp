// tests/support.hpp — helpers shared by the tests: temporary folders, running the real binary, files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace test_support {

// A fresh directory under the system temp dir, removed when the object dies.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// What a finished child process left behind.
struct run_result {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs the entra-audit binary with args (no shell), extra environment entries NAME=VALUE, and captures its
// output. The environment starts from a copy of this process's, minus AZURE_*, ENTRA_AUDIT_* and the managed
// identity variables; env's entries replace same-named ones; ENTRA_AUDIT_TEST_NO_IMDS=1 is always set.
run_result run_entra_audit(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                           int timeout_s = 600);

// A running entra-audit process whose output goes to files (for tests that kill it midway).
class child_process {
 public:
  // Starts the binary with args and extra environment (as run_entra_audit), output into out_path/err_path.
  child_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                const std::filesystem::path& out_path, const std::filesystem::path& err_path);
  ~child_process();  // kills it if still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;
  // Sends a signal.
  void kill(int signal);
  // Waits for it; returns the exit code, or -signal when killed.
  int wait();
  // True while it has not exited (reaps it when it has).
  bool running();

 private:
  int pid_ = -1;
  int status_ = 0;
  bool done_ = false;
};

// Sends this process's stderr (fd 2) into a temporary file while the object lives, for tests of log records.
class stderr_capture {
 public:
  stderr_capture();
  ~stderr_capture();  // restores stderr
  stderr_capture(const stderr_capture&) = delete;
  stderr_capture& operator=(const stderr_capture&) = delete;
  // What was written to stderr so far.
  std::string text() const;

 private:
  temp_dir dir_;
  int saved_ = -1;
};

// Parses RFC 4180 CSV text (CRLF or LF) into rows of cells.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

// The whole file as a string (empty when missing).
std::string read_file(const std::filesystem::path& p);
// Writes text to p (mode 0600).
void write_file(const std::filesystem::path& p, const std::string& text);

}  // namespace test_support
